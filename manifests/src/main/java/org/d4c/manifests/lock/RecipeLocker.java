package org.d4c.manifests.lock;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Source;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.manifests.recipe.RecipeException;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.progress.Progress;
import org.d4c.manifests.sources.SourceCache;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * {@code d4c lock}: fetches every source and writes its sha256 and size into the recipe file. The file is
 * edited as text at the positions SnakeYAML reports, so the user's comments, key order and layout stay;
 * the result is re-parsed and compared before it replaces the file.
 */
public final class RecipeLocker {
  /** A source whose lock changed; {@code oldSha256}/{@code oldSize} are null when it was not locked. */
  public record Change(String sourceId, String oldSha256, Long oldSize, String sha256, long size) {}

  private record Edit(int start, int end, String text) {}

  private RecipeLocker() {}

  public static List<Change> lock(Path recipe, SourceCache cache) {
    return lock(recipe, cache, Progress.NONE);
  }

  public static List<Change> lock(Path recipeFile, SourceCache cache, Progress progress) {
    Recipe recipe = Recipes.load(recipeFile);
    List<Source> locked = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    for (Source s : recipe.sources()) {
      SourceCache.Lock l = cache.lock(s, recipe.recipeDir(), progress);
      locked.add(s.withLock(l.sha256(), l.size()));
      if (!l.sha256().equals(s.sha256()) || !Objects.equals(s.size(), l.size())) {
        changes.add(new Change(s.id(), s.sha256(), s.size(), l.sha256(), l.size()));
      }
    }
    if (changes.isEmpty()) return changes;
    String text = read(recipeFile);
    String updated = rewrite(text, locked, recipeFile);
    Recipe expected = recipe.withSources(locked);
    Recipe reparsed = Recipes.parse(updated, recipeFile);
    if (!reparsed.toCanonicalJson().equals(expected.toCanonicalJson())) {
      throw new RecipeException(recipeFile, List.of("could not write the lock into this file's layout (anchors or merge keys?);"
          + " add sha256/size by hand: " + changes));
    }
    AtomicFiles.write(recipeFile, updated.getBytes(StandardCharsets.UTF_8));
    return changes;
  }

  /** Sets sha256/size of every source in {@code text}; package-private for tests. */
  static String rewrite(String text, List<Source> locked, Path file) {
    int[] cps = text.codePoints().toArray(); // SnakeYAML marks count code points, not chars
    String nl = text.contains("\r\n") ? "\r\n" : "\n";
    Node root = new Yaml().compose(new StringReader(text));
    SequenceNode sources = (SequenceNode) value((MappingNode) root, "sources");
    List<Edit> edits = new ArrayList<>();
    for (int i = 0; i < locked.size(); i++) {
      Source s = locked.get(i);
      MappingNode m = (MappingNode) sources.getValue().get(i);
      String sha = s.sha256().chars().allMatch(Character::isDigit) ? "\"" + s.sha256() + "\"" : s.sha256();
      String size = Long.toString(s.size());
      List<String> missing = new ArrayList<>();
      for (String[] kv : new String[][] {{"sha256", sha}, {"size", size}}) {
        NodeTuple t = tuple(m, kv[0]);
        if (t == null) {
          missing.add(kv[0] + ": " + kv[1]);
        } else {
          edits.add(replaceValue(cps, t, kv[0], kv[1]));
        }
      }
      if (missing.isEmpty()) continue;
      if (m.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
        int close = m.getEndMark().getIndex() - 1;
        if (close < 0 || cps[close] != '}') throw new RecipeException(file, List.of("sources[" + i + "]: cannot find the end of this mapping"));
        edits.add(new Edit(close, close, ", " + String.join(", ", missing)));
        continue;
      }
      NodeTuple after = tuple(m, "sha256") != null ? tuple(m, "sha256") : tuple(m, "urls");
      int indent = after.getKeyNode().getStartMark().getColumn();
      int at = lineEnd(cps, isEmpty(after.getValueNode()) ? after.getKeyNode().getEndMark().getLine() : lastLine(after.getValueNode()));
      StringBuilder ins = new StringBuilder(at == cps.length && (at == 0 || cps[at - 1] != '\n') ? nl : "");
      for (String line : missing) ins.append(" ".repeat(indent)).append(line).append(nl);
      edits.add(new Edit(at, at, ins.toString()));
    }
    edits.sort(Comparator.comparingInt(Edit::start).reversed());
    StringBuilder out = new StringBuilder(text.length() + 200);
    int[] result = cps;
    for (Edit e : edits) {
      int[] repl = e.text().codePoints().toArray();
      int[] next = new int[result.length - (e.end() - e.start()) + repl.length];
      System.arraycopy(result, 0, next, 0, e.start());
      System.arraycopy(repl, 0, next, e.start(), repl.length);
      System.arraycopy(result, e.end(), next, e.start() + repl.length, result.length - e.end());
      result = next;
    }
    for (int cp : result) out.appendCodePoint(cp);
    return out.toString();
  }

  private static Edit replaceValue(int[] cps, NodeTuple t, String key, String value) {
    Node v = t.getValueNode();
    if (isEmpty(v)) {
      // "sha256:" with nothing after it: rewrite the key and its colon rather than trust an empty node's marks.
      int start = t.getKeyNode().getStartMark().getIndex();
      int colon = t.getKeyNode().getEndMark().getIndex();
      while (colon < cps.length && cps[colon] != ':') colon++;
      return new Edit(start, colon + 1, key + ": " + value);
    }
    return new Edit(v.getStartMark().getIndex(), v.getEndMark().getIndex(), value);
  }

  /** "key:" with nothing after it; the marks of such an empty node are not where the text is. */
  private static boolean isEmpty(Node v) {
    return v instanceof ScalarNode sv && sv.getValue().isEmpty() && sv.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
  }

  /** The last line a value occupies; for a block sequence, the line of its last item (its end mark is later). */
  private static int lastLine(Node v) {
    if (v instanceof SequenceNode seq && seq.getFlowStyle() == DumperOptions.FlowStyle.BLOCK && !seq.getValue().isEmpty()) {
      return lastLine(seq.getValue().get(seq.getValue().size() - 1));
    }
    return v.getEndMark().getLine();
  }

  /** Index just after the newline that ends line {@code line} (0-based), or the end of the text. */
  private static int lineEnd(int[] cps, int line) {
    int l = 0;
    for (int i = 0; i < cps.length; i++) {
      if (cps[i] == '\n' && l++ == line) return i + 1;
    }
    return cps.length;
  }

  private static NodeTuple tuple(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) return t;
    }
    return null;
  }

  private static Node value(MappingNode m, String key) {
    NodeTuple t = tuple(m, key);
    return t == null ? null : t.getValueNode();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
