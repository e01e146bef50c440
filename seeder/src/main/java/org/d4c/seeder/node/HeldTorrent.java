package org.d4c.seeder.node;

import java.time.Duration;
import java.util.BitSet;
import org.libtorrent4j.TorrentHandle;

/** A catalog dataset in the session, as the loop last read it. Touched by the loop thread only. */
final class HeldTorrent {
  final CatalogSync.Dataset dataset;
  TorrentHandle handle; // replaced when pieces are freed (the torrent is added again)
  BitSet have = new BitSet();
  BitSet planned = new BitSet();
  int[] swarm = new int[0];
  int[] ahead = new int[0]; // per piece, its holders ranked before this node (Planner.agreement)
  int[] before = new int[0]; // per piece, the Smart Nodes ranked before this node
  // The connected peers as last read: keys, pieces and whether each is a Smart Node (Planner.matchSpareRoom).
  long[] peerKeys = new long[0];
  BitSet[] peerPieces = new BitSet[0];
  boolean[] peerNode = new boolean[0];
  boolean checking = true;
  final SwarmMemory memory;
  final SwarmMemory aheadMemory; // the same rule for the holders ranked before this node
  final SwarmMemory beforeMemory;
  int probeCount;

  HeldTorrent(CatalogSync.Dataset dataset, TorrentHandle handle, Duration swarmMemory) {
    this.dataset = dataset;
    this.handle = handle;
    this.memory = new SwarmMemory(swarmMemory);
    this.aheadMemory = new SwarmMemory(swarmMemory);
    this.beforeMemory = new SwarmMemory(swarmMemory);
  }

  String infoHash() {
    return dataset.infoHash();
  }

  String itemId() {
    return dataset.itemId();
  }
}
