package org.d4c.transforms.read;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/** A source that cannot be read at all (as opposed to a bad record, which becomes a reject). */
public final class OgrException extends D4cException {
  private static final long serialVersionUID = 1L;

  public OgrException(OgrSource source, String message) {
    super(ExitCode.SOURCE_PROBLEM, "source '" + source.id() + "' (" + shown(source.datasetName())
        + (source.layer() == null ? "" : ", layer " + source.layer()) + "): " + hidePaths(source.datasetName(), message));
  }

  /**
   * The dataset as the user knows it: the file name of the source (and the member inside its zip), without the
   * folder the build links it from, which lies inside the hidden staging folder and means nothing to the user.
   */
  static String shown(String datasetName) {
    String s = datasetName.startsWith("/vsizip/") ? datasetName.substring("/vsizip/".length()) : datasetName;
    int zip = s.toLowerCase(java.util.Locale.ROOT).indexOf(".zip/");
    String file = zip < 0 ? s : s.substring(0, zip + 4);
    return file.substring(file.lastIndexOf('/') + 1) + (zip < 0 ? "" : s.substring(zip + 4));
  }

  /** GDAL's messages name the path it opened: show the user's name instead. */
  static String hidePaths(String datasetName, String message) {
    if (message == null) return "";
    String s = datasetName.startsWith("/vsizip/") ? datasetName.substring("/vsizip/".length()) : datasetName;
    int zip = s.toLowerCase(java.util.Locale.ROOT).indexOf(".zip/");
    String folder = s.substring(0, s.lastIndexOf('/', zip < 0 ? s.length() : zip) + 1);
    return folder.isEmpty() ? message : message.replace("/vsizip/" + folder, "").replace(folder, "");
  }
}
