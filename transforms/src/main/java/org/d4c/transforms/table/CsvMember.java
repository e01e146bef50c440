package org.d4c.transforms.table;

import java.io.Serializable;

/**
 * One CSV file of a source: its name (the archive member's, for messages and ordering) and where its bytes are: a
 * byte range of a local file (a plain file, a member stored uncompressed in a zip, or a compressed member extracted
 * by the planner).
 */
public record CsvMember(String name, String file, long offset, long length) implements Serializable {}
