package org.d4c.testing;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Class-path checks shared by the module tests: run code in a class loader from which a library is missing (to prove
 * Hadoop is not needed at run time), and read the class path the launcher uses (to prove a light command carries no
 * Beam, Flink or Hadoop).
 */
public final class ClassPaths {
  private ClassPaths() {}

  /** The test class path; surefire may hide it behind a manifest-only booter jar. */
  public static List<String> testClassPath() {
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
        try (JarFile jar = new JarFile(entry)) {
          for (String u : jar.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
            if (!u.isBlank()) out.add(Path.of(new URL(new File(entry).toURI().toURL(), u).toURI()).toString());
          }
        } catch (IOException | URISyntaxException e) {
          throw new IllegalStateException("cannot read the surefire booter jar " + entry, e);
        }
      } else {
        out.add(entry);
      }
    }
    return out;
  }

  /** A class loader over the test class path without the entries whose path contains {@code dropped}, no parent delegation. */
  public static Isolated without(String dropped) throws IOException {
    List<URL> urls = new ArrayList<>();
    int n = 0;
    for (String entry : testClassPath()) {
      if (entry.replace(File.separatorChar, '/').contains(dropped)) n++;
      else urls.add(Path.of(entry).toUri().toURL());
    }
    return new Isolated(new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader()), n);
  }

  /** An isolated class loader and how many class-path entries were left out of it. */
  public record Isolated(URLClassLoader loader, int dropped) implements AutoCloseable {
    /** Calls the public static method {@code method} of {@code type} (loaded again in this loader) with string arguments. */
    public Object call(Class<?> type, String method, Object... args) throws ReflectiveOperationException {
      Class<?>[] types = new Class<?>[args.length];
      for (int i = 0; i < args.length; i++) types[i] = args[i] instanceof Boolean ? boolean.class : args[i].getClass();
      return loader.loadClass(type.getName()).getMethod(method, types).invoke(null, args);
    }

    @Override
    public void close() throws IOException {
      loader.close();
    }
  }

  /** The entries of a class-path file the launcher reads (one line, separated by ':'), e.g. cli/target/classpath.txt. */
  public static List<String> launcherClassPath(Path file) throws IOException {
    return List.of(Files.readString(file).strip().split(File.pathSeparator));
  }
}
