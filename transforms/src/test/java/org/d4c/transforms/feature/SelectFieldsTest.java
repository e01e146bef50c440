package org.d4c.transforms.feature;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.testing.Pipelines;
import org.junit.jupiter.api.Test;

class SelectFieldsTest {
  private static final FeatureSchema INPUT = new FeatureSchema(List.of(
      new Field("id", FieldType.INT64), new Field("name", FieldType.STRING), new Field("pop", FieldType.INT32),
      new Field("since", FieldType.DATE)));

  private static List<String> names(FeatureSchema s) {
    return s.fields().stream().map(Field::name).toList();
  }

  @Test
  void emptySelectionKeepsAllFieldsInOrder() {
    SelectFields s = SelectFields.of(INPUT, List.of(), Map.of());
    assertThat(s.outputSchema(), is(INPUT));
    assertThat(s.keepsAllInOrder(INPUT), is(true));
  }

  @Test
  void selectionSetsTheOrderAndKeepsTypes() {
    SelectFields s = SelectFields.of(INPUT, List.of("pop", "id"), Map.of());
    assertThat(s.outputSchema().fields(), contains(new Field("pop", FieldType.INT32), new Field("id", FieldType.INT64)));
    assertThat(s.keepsAllInOrder(INPUT), is(false));
    assertThat(SelectFields.of(INPUT, List.of("name", "id", "pop", "since"), Map.of()).keepsAllInOrder(INPUT), is(false));
  }

  @Test
  void renameChangesNamesOnly() {
    SelectFields s = SelectFields.of(INPUT, List.of(), Map.of("pop", "population", "id", "source_id"));
    assertThat(names(s.outputSchema()), contains("source_id", "name", "population", "since"));
    assertThat(s.outputSchema().field(2).type(), is(FieldType.INT32));
    assertThat(s.keepsAllInOrder(INPUT), is(true)); // values need not move
    assertThat(s.outputSchema().geometryColumn(), is(INPUT.geometryColumn()));
  }

  @Test
  void selectAndRenameTogether() {
    SelectFields s = SelectFields.of(INPUT, List.of("since", "name"), Map.of("name", "nom"));
    assertThat(s.outputSchema().fields(), contains(new Field("since", FieldType.DATE), new Field("nom", FieldType.STRING)));
  }

  @Test
  void unknownSelectedFieldIsNamedWithTheFieldsThatExist() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelectFields.of(INPUT, List.of("name", "populaton"), Map.of()));
    assertThat(e.getMessage(), allOf(containsString("'populaton'"), containsString("[id, name, pop, since]")));
  }

  @Test
  void renameOfAFieldNotInTheSourceListsTheFieldsThatExist() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelectFields.of(INPUT, List.of(), Map.of("nmae", "label")));
    assertThat(e.getMessage(), allOf(containsString("'nmae'"), containsString("not in the source"),
        containsString("[id, name, pop, since]")));
  }

  @Test
  void renameOfAnUnselectedFieldSaysItIsNotSelected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelectFields.of(INPUT, List.of("id", "name"), Map.of("pop", "population")));
    assertThat(e.getMessage(), allOf(containsString("'pop'"), containsString("not selected"),
        not(containsString("not in the source"))));
  }

  @Test
  void renameOntoAnotherOutputNameIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelectFields.of(INPUT, List.of(), Map.of("pop", "name")));
    assertThat(e.getMessage(), containsString("duplicate field name 'name'"));
  }

  @Test
  void renameOntoTheGeometryOrBboxColumnIsRejected() {
    for (String reserved : new String[] {"geometry", "bbox"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SelectFields.of(INPUT, List.of(), Map.of("name", reserved)));
      assertThat(e.getMessage(), containsString("'" + reserved + "'"));
    }
  }

  @Test
  void swappingTwoNamesIsAllowed() {
    Map<String, String> rename = new LinkedHashMap<>();
    rename.put("id", "name");
    rename.put("name", "id");
    SelectFields s = SelectFields.of(INPUT, List.of("id", "name"), rename);
    assertThat(s.outputSchema().fields(), contains(new Field("name", FieldType.INT64), new Field("id", FieldType.STRING)));
  }

  @Test
  void pipelineMovesValuesWithTheirFields() {
    Pipeline p = Pipelines.direct();
    Feature a = new Feature(0, 1, FeatureCoderTest.wkt("POINT (1 2)"),
        new Object[] {10L, "Québec🍁", 531_902, LocalDate.of(1608, 7, 3)});
    Feature b = new Feature(0, 2, FeatureCoderTest.wkt("POINT (3 4)"), new Object[] {20L, null, 0, null}, 77);
    PCollection<Feature> in = p.apply(Create.of(a, b).withCoder(FeatureCoder.of()));
    SelectFields select = SelectFields.of(INPUT, List.of("since", "name", "id"), Map.of("id", "source_id"));
    var out = Pipelines.collect(in.apply(select));
    Pipelines.run(p);

    assertThat(out.get(), containsInAnyOrder(
        new Feature(0, 1, a.geometry(), new Object[] {LocalDate.of(1608, 7, 3), "Québec🍁", 10L}),
        new Feature(0, 2, b.geometry(), new Object[] {null, null, 20L}, 77)));
    assertThat(Arrays.asList(a.values()), contains(10L, "Québec🍁", 531_902, LocalDate.of(1608, 7, 3))); // input untouched
  }
}
