package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.schema.MessageType;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.json.CanonicalJson;

/**
 * A catalog folder: {@code catalog.parquet} (stac-geoparquet, the source of truth) and the static STAC JSON beside
 * it. {@link #add} puts one built dataset version in: it checks the build against its manifest, builds the item,
 * refuses an id already taken by a different build, relinks the versions of that dataset, recomputes the
 * collections and writes every changed file atomically, catalog.parquet last. Any error leaves the folder as it was.
 * One writer at a time: a lock file ({@code .d4c-catalog.lock}) guards the folder.
 */
public final class Catalog {
  public static final String LOCK_FILE = ".d4c-catalog.lock";
  /** The value parquet-java stores as {@code writer.model.name} in files written here. */
  public static final String WRITER = "d4c";

  public enum Status { ADDED, UPDATED, REPLACED, UNCHANGED }

  /** What {@link #add} did. */
  public record AddResult(String id, String collection, String version, Status status, int items, int collections,
      ObjectNode item, Path itemFile) {
    public String summary() {
      String verb = switch (status) {
        case ADDED -> "Added";
        case UPDATED -> "Updated";
        case REPLACED -> "Replaced";
        case UNCHANGED -> "Already in the catalog, unchanged:";
      };
      return verb + " " + id + " (collection " + collection + ", version " + version + "): " + items + " item"
          + (items == 1 ? "" : "s") + " in " + collections + " collection" + (collections == 1 ? "" : "s");
    }
  }

  private final Path dir;

  private Catalog(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public static Catalog at(Path dir) {
    return new Catalog(dir);
  }

  public Path dir() {
    return dir;
  }

  public Path parquetFile() {
    return dir.resolve(CatalogParquet.FILE_NAME);
  }

  /** The items and collections, or an empty catalog when there is no catalog.parquet yet. */
  public CatalogParquet.Contents read() {
    Path f = parquetFile();
    if (!Files.exists(f)) return new CatalogParquet.Contents(List.of(), Map.of(), Map.of(), null, List.of());
    CatalogParquet.Contents c;
    try {
      c = CatalogParquet.read(f);
    } catch (CatalogException e) {
      throw new CatalogException(null, e.problems().stream()
          .map(p -> p + " (the catalog was not changed; move the file away to start a new catalog)").toList());
    }
    String writer = c.keyValue().get("writer.model.name");
    if (!WRITER.equals(writer)) {
      throw new CatalogException(f.toString(), "not written by d4c (writer.model.name is " + (writer == null ? "missing" : "\"" + writer + "\"")
          + "): refusing to change a catalog d4c does not own; use another --catalog folder");
    }
    return c;
  }

  /** Adds (or updates) the build in {@code buildDir}; {@code replace} allows a different build under the same id. */
  public AddResult add(Path buildDir, ItemFactory.Options options, boolean replace) {
    return locked(() -> addLocked(buildDir, options, replace));
  }

  private static final boolean TIMING = Boolean.getBoolean("d4c.catalog.timing");
  private static long mark = System.nanoTime();

  /** With -Dd4c.catalog.timing=true, how long each step of an add took (stderr). */
  static void time(String step) {
    if (!TIMING) return;
    long now = System.nanoTime();
    System.err.printf("  %-40s %6d ms%n", step, (now - mark) / 1_000_000);
    mark = now;
  }

  private AddResult addLocked(Path buildDir, ItemFactory.Options options, boolean replace) {
    time("start");
    CatalogParquet.Index index = Files.exists(parquetFile()) ? index() : null;
    time("index catalog.parquet");
    ItemFactory.Built built = ItemFactory.build(buildDir, dir, options);
    time("build the item");
    if (index != null && RowGroups.marker(RowGroups.modulus()).equals(index.keyValue().get(RowGroups.MARKER_KEY))) {
      AddResult r = addSpliced(index, built, buildDir, options, replace);
      if (r != null) return r;
    }
    return addWhole(read(), built, buildDir, options, replace);
  }

  /** The catalog read whole, the item put in, every file it changes written. */
  private AddResult addWhole(CatalogParquet.Contents existing, ItemFactory.Built built, Path buildDir,
      ItemFactory.Options options, boolean replace) {
    Map<String, ObjectNode> byId = new LinkedHashMap<>();
    for (ObjectNode i : existing.items()) byId.put(i.path("id").asText(), i);
    String id = built.item().get("id").asText();
    String collection = built.item().get("collection").asText();
    ObjectNode previous = byId.get(id);
    Status status = status(previous, built, buildDir, replace);
    byId.put(id, status == Status.UPDATED ? ItemFactory.carryOver(built.item(), previous, options) : built.item());
    if (!commit(existing, byId, collection, status == Status.UPDATED)) status = Status.UNCHANGED;
    ObjectNode stored = byId.get(id);
    return new AddResult(id, collection, stored.path("properties").path("version").asText(), status, byId.size(),
        countCollections(byId), stored, dir.resolve(CatalogLinks.itemPath(collection, id)));
  }

  private Status status(ObjectNode previous, ItemFactory.Built built, Path buildDir, boolean replace) {
    if (previous == null) return Status.ADDED;
    String id = built.item().get("id").asText();
    String before = previous.path("assets").path(ItemFactory.MANIFEST_ASSET).path("file:checksum").asText("");
    if (before.equals(built.manifestChecksum())) return Status.UPDATED;
    if (!replace) {
      throw new CatalogException(parquetFile().toString(), List.of("item " + id + " is already in the catalog from a"
          + " different build (manifest.json checksum " + before + " there, " + built.manifestChecksum() + " in "
          + buildDir + "); a dataset version does not change once cataloged: bump `version` in the recipe and"
          + " build again, or pass --replace to overwrite it"));
    }
    return Status.REPLACED;
  }

  private static final Comparator<String[]> KEY = Comparator.<String[], String>comparing(k -> k[0]).thenComparing(k -> k[1]);

  /**
   * Adds without decoding the whole file: only the row groups around the item's dataset are read and rewritten
   * (see {@link RowGroups}); every other row group is copied as it is. Returns null when that is not possible (the
   * schema would change, a version is replaced, or a static file must be regenerated): then the file is rewritten whole.
   */
  private AddResult addSpliced(CatalogParquet.Index index, ItemFactory.Built built, Path buildDir,
      ItemFactory.Options options, boolean replace) {
    String id = built.item().get("id").asText();
    String collection = built.item().get("collection").asText();
    String[] lo = {collection, id};
    String[] hi = lo;
    for (List<String[]> g : index.keys()) {
      for (String[] k : g) {
        if (!k[0].equals(collection)) continue;
        if (KEY.compare(k, lo) < 0) lo = k;
        if (KEY.compare(k, hi) > 0) hi = k;
      }
    }
    int n = index.keys().size();
    int from = 0;
    for (int g = 0; g < n; g++) if (KEY.compare(index.first(g), lo) <= 0) from = g;
    int to = n;
    for (int g = n - 1; g > from; g--) if (KEY.compare(index.first(g), hi) > 0) to = g;
    List<ObjectNode> span = CatalogParquet.readGroups(index, from, to);
    time("read row groups " + from + ".." + (to - 1));
    Map<String, ObjectNode> byId = new LinkedHashMap<>();
    for (ObjectNode i : span) byId.put(i.path("id").asText(), i);
    ObjectNode previous = byId.get(id);
    Status status = status(previous, built, buildDir, replace);
    if (status == Status.REPLACED) return whole("a different build replaces " + id); // columns may go away
    byId.put(id, status == Status.UPDATED ? ItemFactory.carryOver(built.item(), previous, options) : built.item());

    List<ObjectNode> ofCollection = new ArrayList<>();
    for (ObjectNode i : byId.values()) if (i.path("collection").asText().equals(collection)) ofCollection.add(i);
    List<ObjectNode> relinked = CatalogLinks.link(ofCollection);
    for (ObjectNode i : relinked) byId.put(i.path("id").asText(), i);
    Map<String, ObjectNode> before = index.collections();
    Map<String, ObjectNode> collections = new TreeMap<>(before);
    collections.put(collection, CatalogLinks.collection(collection, relinked));
    ObjectNode root = CatalogLinks.rootCatalog(collections);
    time("relink, collections");
    validate(relinked, collections.get(collection), collection, root);
    time("validate");

    List<ObjectNode> rows = new ArrayList<>(byId.values());
    rows.sort(ROW_ORDER);
    MessageType schema = ItemColumns.schemaFor(rows, index.schema());
    if (!schema.equals(index.schema())) return whole("the items of " + collection + " add columns"); // every row group changes
    // The other collections' files must be there (their items' files are checked by `catalog validate`).
    for (String c : collections.keySet()) {
      if (!c.equals(collection) && (!Files.exists(dir.resolve(CatalogLinks.collectionPath(c)))
          || !Files.exists(dir.resolve(CatalogLinks.latestPath(c))))) {
        return whole(CatalogLinks.collectionPath(c) + " or " + CatalogLinks.latestPath(c) + " is missing");
      }
    }
    boolean unchanged = status == Status.UPDATED && span.equals(rows) && before.equals(collections);
    time("schema, checks");

    Map<String, byte[]> files = new LinkedHashMap<>();
    for (ObjectNode i : relinked) {
      String path = CatalogLinks.itemPath(collection, i.path("id").asText());
      files.put(path, StaticCatalog.bytes(i, path));
    }
    files.put(CatalogLinks.collectionPath(collection), StaticCatalog.bytes(
        CatalogLinks.withItemLinks(collections.get(collection), relinked), CatalogLinks.collectionPath(collection)));
    files.put(CatalogLinks.latestPath(collection), StaticCatalog.bytes(CatalogLinks.latestPointer(collection, CatalogLinks.latest(relinked)), CatalogLinks.latestPath(collection)));
    files.put(CatalogLinks.ROOT_FILE, StaticCatalog.bytes(root, CatalogLinks.ROOT_FILE));
    writeFiles(files);
    time("static JSON");
    if (!unchanged) {
      JsonNode geo;
      try {
        geo = CanonicalJson.mapper().readTree(index.keyValue().get("geo"));
      } catch (IOException e) {
        return whole("unreadable geo metadata");
      }
      CatalogParquet.splice(parquetFile(), index, from, to, rows, schema,
          CatalogParquet.keyValue(CatalogParquet.geoMetadata(rows, geo), collections));
      time("write catalog.parquet");
    }
    int items = 0;
    for (List<String[]> g : index.keys()) items += g.size();
    if (status == Status.ADDED) items++;
    ObjectNode stored = byId.get(id);
    return new AddResult(id, collection, stored.path("properties").path("version").asText(),
        unchanged ? Status.UNCHANGED : status, items, collections.size(), stored, dir.resolve(CatalogLinks.itemPath(collection, id)));
  }

  /** Says why the next step reads and rewrites all of catalog.parquet (slower on a large catalog); returns null. */
  private static AddResult whole(String reason) {
    System.err.println("d4c catalog: rewriting catalog.parquet whole: " + reason);
    return null;
  }

  private static final Comparator<ObjectNode> ROW_ORDER =
      Comparator.comparing((ObjectNode i) -> i.path("collection").asText()).thenComparing(i -> i.path("id").asText());

  private void validate(List<ObjectNode> items, ObjectNode collection, String collectionId, ObjectNode root) {
    List<String> problems = new ArrayList<>();
    for (ObjectNode i : items) StacSchemas.item(i).forEach(p -> problems.add("item " + i.path("id").asText() + ": " + p));
    StacSchemas.collection(collection).forEach(p -> problems.add("collection " + collectionId + ": " + p));
    StacSchemas.catalog(root).forEach(p -> problems.add(CatalogLinks.ROOT_FILE + ": " + p));
    if (!problems.isEmpty()) {
      problems.add(0, "the new catalog entries do not validate against the STAC schemas (nothing was written):");
      throw new CatalogException(null, problems);
    }
  }

  private void writeFiles(Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = dir.resolve(f.getKey());
      if (!sameBytes(target, f.getValue())) AtomicFiles.write(target, f.getValue());
    }
  }

  /** The index of catalog.parquet (footer, row keys), refusing a file d4c did not write. */
  private CatalogParquet.Index index() {
    Path f = parquetFile();
    CatalogParquet.Index idx;
    try {
      idx = CatalogParquet.index(f);
    } catch (CatalogException e) {
      throw new CatalogException(null, e.problems().stream()
          .map(p -> p + " (the catalog was not changed; move the file away to start a new catalog)").toList());
    }
    String writer = idx.keyValue().get("writer.model.name");
    if (!WRITER.equals(writer)) {
      throw new CatalogException(f.toString(), "not written by d4c (writer.model.name is " + (writer == null ? "missing" : "\"" + writer + "\"")
          + "): refusing to change a catalog d4c does not own; use another --catalog folder");
    }
    return idx;
  }

  /**
   * Records a mirror of one asset (alternate-assets extension): {@code assets.<asset>.alternate.<name>.href}. The
   * publishing step calls this for every location it uploads to; re-adding the same build keeps it.
   */
  public ObjectNode putAlternate(String itemId, String asset, String name, String href, String title) {
    if (name == null || name.isBlank() || href == null || href.isBlank()) throw new CatalogException("alternate", "needs a name and an href");
    return update(itemId, item -> {
      JsonNode a = item.path("assets").get(asset);
      if (!(a instanceof ObjectNode ao)) throw new CatalogException(parquetFile().toString(), "item " + itemId + " has no asset " + asset);
      ObjectNode alt = ao.has("alternate") ? (ObjectNode) ao.get("alternate") : ao.putObject("alternate");
      ObjectNode entry = alt.putObject(name).put("href", href);
      if (title != null) entry.put("title", title);
      return item;
    });
  }

  /**
   * Changes one item in place (under the lock): {@code change} gets a copy and returns the new item, which is
   * validated and written with every static file it touches. Used by publishing (mirrors, DOI, torrent).
   */
  public ObjectNode update(String itemId, java.util.function.UnaryOperator<ObjectNode> change) {
    return locked(() -> {
      CatalogParquet.Contents existing = read();
      Map<String, ObjectNode> byId = new LinkedHashMap<>();
      for (ObjectNode i : existing.items()) byId.put(i.path("id").asText(), i);
      ObjectNode item = byId.get(itemId);
      if (item == null) throw new CatalogException(parquetFile().toString(), "no item " + itemId + " (add the build with `d4c catalog add` first)");
      ObjectNode copy = change.apply(item.deepCopy());
      if (!itemId.equals(copy.path("id").asText())) throw new CatalogException(itemId, "an update may not change the item id");
      copy.set("stac_extensions", ItemFactory.extensions(copy));
      byId.put(itemId, (ObjectNode) CanonicalJson.toTree(copy));
      commit(existing, byId, copy.path("collection").asText(), true);
      return byId.get(itemId);
    });
  }

  /** One item by id, or null. */
  public ObjectNode item(String itemId) {
    for (ObjectNode i : read().items()) if (itemId.equals(i.path("id").asText())) return i;
    return null;
  }

  private interface Work<T> {
    T run();
  }

  private <T> T locked(Work<T> work) {
    try {
      AtomicFiles.createPublicDirectories(dir); // a catalog folder is served as it is: 0755
    } catch (IOException e) {
      throw new CatalogException(dir.toString(), "cannot create the catalog folder: " + e.getMessage());
    }
    try (FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) throw new CatalogException(dir.toString(), "another d4c process is changing this catalog; try again when it is done");
      try {
        repairInterrupted();
        Path marker = dir.resolve(WRITING_MARKER);
        Files.write(marker, new byte[0]);
        T result;
        try {
          result = work.run();
        } catch (CatalogException refused) { // refused before writing anything
          Files.deleteIfExists(marker);
          throw refused;
        }
        Files.deleteIfExists(marker); // not on another error: what it wrote, if anything, is repaired next time
        return result;
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new CatalogException(dir.toString(), "cannot lock the catalog: " + e.getMessage());
    }
  }

  /** Present while a change is being written; found by the next writer, it means the last one was killed. */
  static final String WRITING_MARKER = ".d4c-catalog.writing";

  /**
   * Finishes what a killed writer left (under the lock): catalog.parquet is replaced in one rename and written last,
   * so it is the catalog; the temporary files are deleted, and the static JSON is brought back to what
   * catalog.parquet holds (files rewritten, the files of an item or collection it does not hold removed). Says what
   * it did on stderr.
   */
  void repairInterrupted() throws IOException {
    Path marker = dir.resolve(WRITING_MARKER);
    // The marker is written before a change writes its first temporary file and removed after its last rename, so
    // without it there is nothing to repair, and the walk over every item's folder (slow on a large catalog) is skipped.
    if (!Files.exists(marker)) return;
    List<Path> temps = new ArrayList<>();
    try (var s = Files.walk(dir)) {
      s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith(".")
          && p.getFileName().toString().endsWith(".tmp")).sorted().forEach(temps::add);
    }
    for (Path t : temps) Files.deleteIfExists(t);
    CatalogParquet.Contents contents = Files.exists(parquetFile()) ? CatalogParquet.read(parquetFile()) : null;
    Map<String, byte[]> files = new LinkedHashMap<>();
    Map<String, List<ObjectNode>> byCollection = new TreeMap<>();
    if (contents != null) {
      for (ObjectNode i : contents.items()) {
        byCollection.computeIfAbsent(i.path("collection").asText(), k -> new ArrayList<>()).add(i);
        String path = CatalogLinks.itemPath(i.path("collection").asText(), i.path("id").asText());
        files.put(path, StaticCatalog.bytes(i, path));
      }
      for (Map.Entry<String, ObjectNode> c : contents.collections().entrySet()) {
        List<ObjectNode> items = byCollection.getOrDefault(c.getKey(), List.of());
        String path = CatalogLinks.collectionPath(c.getKey());
        files.put(path, StaticCatalog.bytes(CatalogLinks.withItemLinks(c.getValue(), items), path));
        if (!items.isEmpty()) {
          String latest = CatalogLinks.latestPath(c.getKey());
          files.put(latest, StaticCatalog.bytes(CatalogLinks.latestPointer(c.getKey(), CatalogLinks.latest(items)), latest));
        }
      }
      files.put(CatalogLinks.ROOT_FILE, StaticCatalog.bytes(CatalogLinks.rootCatalog(new TreeMap<>(contents.collections())),
          CatalogLinks.ROOT_FILE));
    }
    int rewritten = 0;
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (!sameBytes(dir.resolve(f.getKey()), f.getValue())) {
        AtomicFiles.write(dir.resolve(f.getKey()), f.getValue());
        rewritten++;
      }
    }
    // What catalog.parquet does not hold: an item's or a collection's files that the killed writer had written.
    List<Path> stray = new ArrayList<>();
    try (var s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).filter(p -> {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (files.containsKey(rel)) return false;
        String[] parts = rel.split("/");
        boolean item = parts.length == 3 && parts[2].equals(parts[1] + ".json");
        boolean collectionFile = parts.length == 2 && (parts[1].equals("collection.json") || parts[1].equals(CatalogLinks.LATEST_FILE));
        boolean root = rel.equals(CatalogLinks.ROOT_FILE);
        return item || collectionFile || root;
      }).sorted().forEach(stray::add);
    }
    for (Path p : stray) {
      Files.delete(p);
      for (Path d = p.getParent(); !d.equals(dir); d = d.getParent()) {
        try (var s = Files.list(d)) {
          if (s.findAny().isPresent()) break;
        }
        Files.delete(d);
      }
    }
    Files.deleteIfExists(marker);
    System.err.println("d4c catalog: the last change to " + dir + " did not finish (the process was killed or failed); repaired: "
        + (contents == null ? "no catalog.parquet was written, so the catalog is empty again"
            : "catalog.parquet (" + contents.items().size() + " items) is the catalog")
        + "; removed " + temps.size() + " temporary file(s) and " + stray.size() + " file(s) it does not hold, rewrote "
        + rewritten + " static file(s)");
  }

  private static int countCollections(Map<String, ObjectNode> byId) {
    return (int) byId.values().stream().map(i -> i.path("collection").asText()).distinct().count();
  }

  /**
   * Relinks the versions of {@code collection}, recomputes the collections and the root, validates what changed and
   * writes the files (static JSON first, catalog.parquet last); {@code byId} gets the relinked items. Returns false
   * when {@code mayBeUnchanged} and the catalog is what it was (then only missing files are written).
   */
  private boolean commit(CatalogParquet.Contents existing, Map<String, ObjectNode> byId, String collection, boolean mayBeUnchanged) {
    Map<String, List<ObjectNode>> byCollection = new TreeMap<>();
    for (ObjectNode i : byId.values()) byCollection.computeIfAbsent(i.path("collection").asText(), k -> new ArrayList<>()).add(i);
    List<ObjectNode> relinked = CatalogLinks.link(byCollection.get(collection));
    byCollection.put(collection, relinked);
    for (ObjectNode i : relinked) byId.put(i.path("id").asText(), i);

    Map<String, ObjectNode> collections = new TreeMap<>(existing.collections());
    collections.keySet().retainAll(byCollection.keySet());
    for (Map.Entry<String, List<ObjectNode>> e : byCollection.entrySet()) {
      if (e.getKey().equals(collection) || !collections.containsKey(e.getKey())) {
        collections.put(e.getKey(), CatalogLinks.collection(e.getKey(), e.getValue()));
      }
    }
    ObjectNode root = CatalogLinks.rootCatalog(collections);

    validate(relinked, collections.get(collection), collection, root);

    List<ObjectNode> rows = new ArrayList<>(byId.values());
    rows.sort(ROW_ORDER);
    boolean unchanged = mayBeUnchanged && existing.items().equals(rows) && existing.collections().equals(collections);

    // Static JSON first, catalog.parquet (the source of truth) last.
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (ObjectNode i : relinked) {
      String path = CatalogLinks.itemPath(collection, i.path("id").asText());
      files.put(path, StaticCatalog.bytes(i, path));
    }
    for (ObjectNode i : rows) {
      String path = CatalogLinks.itemPath(i.path("collection").asText(), i.path("id").asText());
      if (!files.containsKey(path) && !Files.exists(dir.resolve(path))) files.put(path, StaticCatalog.bytes(i, path));
    }
    for (Map.Entry<String, ObjectNode> c : collections.entrySet()) {
      String path = CatalogLinks.collectionPath(c.getKey());
      String latestPath = CatalogLinks.latestPath(c.getKey());
      boolean affected = c.getKey().equals(collection);
      if (affected || !Files.exists(dir.resolve(path))) {
        files.put(path, StaticCatalog.bytes(CatalogLinks.withItemLinks(c.getValue(), byCollection.get(c.getKey())), path));
      }
      if (affected || !Files.exists(dir.resolve(latestPath))) {
        files.put(latestPath, StaticCatalog.bytes(CatalogLinks.latestPointer(c.getKey(), CatalogLinks.latest(byCollection.get(c.getKey()))), latestPath));
      }
    }
    files.put(CatalogLinks.ROOT_FILE, StaticCatalog.bytes(root, CatalogLinks.ROOT_FILE));
    writeFiles(files);
    if (!unchanged || !Files.exists(parquetFile())) CatalogParquet.write(parquetFile(), rows, collections);
    return !unchanged;
  }

  private static boolean sameBytes(Path p, byte[] b) {
    try {
      return Files.isRegularFile(p) && Files.size(p) == b.length && Arrays.equals(Files.readAllBytes(p), b);
    } catch (IOException e) {
      return false;
    }
  }

}
