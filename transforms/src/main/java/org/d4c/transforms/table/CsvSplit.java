package org.d4c.transforms.table;

import java.io.Serializable;

/** A range of whole records of one member that one worker reads: [start, end) in bytes from the member's start. */
public record CsvSplit(int member, long start, long end) implements Serializable {}
