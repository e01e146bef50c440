"""A python3-libtorrent peer for the seeder tests: an independent client in its own process.

  fetch TORRENT OUTDIR --peer HOST:PORT [--pieces 0,1,5] [--timeout S]
      downloads (all pieces, or only the listed ones) from the given peer only (web seeds removed), then prints
      {"have": [...]} and exits 0; exits 2 on timeout.
  hold TORRENT DIR --pieces 0,1,5 [--peer HOST:PORT]
      DIR holds the full data; every piece not listed is zeroed first, so the peer really has only the listed ones.
      Seeds them (downloads nothing), prints "port N", runs until its stdin closes; with --peer, connects to that
      peer every 2 s (as a tracker re-announce would), so it finds a node that starts later or dropped it.
  time TORRENT OUTDIR (--peer HOST:PORT [--transport tcp|utp] | --webseed URL) [--timeout S]
      (benchmarks) downloads the whole torrent either from the given peer only or through the given web seed only
      (the torrent's own web seeds removed either way), then prints {"seconds": ..., "bytes": ...} and exits 0.
      The clock starts once the torrent is added and checked (paused) and stops when every piece has passed its hash.
      --transport: connect to the peer over TCP or uTP only (default: libtorrent's choice, uTP first).
  magnet URI OUTDIR (--via tracker|dht|xs) [--dht-bootstrap HOST:PORT] [--listen HOST:PORT] [--timeout S]
      a magnet-only download, as a user's client would do it; nothing else is handed over (no .torrent, no peer):
        tracker: the magnet's tr only (no DHT); metadata from a peer (ut_metadata); web seeds removed
        dht:     the DHT only, bootstrapped from --dht-bootstrap (the magnet's tr and ws dropped); web seeds removed
        xs:      the .torrent fetched from the magnet's xs URLs (its info-hash checked against xt), then the data from
                 its web seeds only (no tracker, no DHT, no peer)
      prints {"done": true, "seconds": ..., "peers_seen": N, "web_seeds": [...]} and exits 0; exits 2 on timeout.
"""
import json, os, select, sys, time, urllib.parse, urllib.request, hashlib
import libtorrent as lt

def session():
    return lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
                       'enable_upnp': False, 'enable_natpmp': False, 'close_redundant_connections': False,
                       'allow_multiple_connections_per_ip': True, 'alert_mask': 0,
                       # Reconnect at once (the default waits 60 s after a peer dropped the connection)
                       # and keep trying (the default gives up after 3 failures, e.g. while the node rechecks)
                       'min_reconnect_time': 1, 'max_failcount': 1000})

def args(argv):
    out = {}
    i = 0
    while i < len(argv):
        out[argv[i].lstrip('-')] = argv[i + 1]
        i += 2
    return out

def peer(h, hp):
    host, port = hp.rsplit(':', 1)
    h.connect_peer((host, int(port)))

def timed(torrent, folder, a):
    ti = lt.torrent_info(torrent)
    ti.set_web_seeds([])
    if 'webseed' in a:
        ti.add_url_seed(a['webseed'])
    ses = session()
    transport = a.get('transport')
    if transport in ('tcp', 'utp'):
        ses.apply_settings({'enable_outgoing_utp': transport == 'utp', 'enable_outgoing_tcp': transport == 'tcp'})
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = folder
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags |= lt.torrent_flags.paused  # set-up (session, file check) stays outside the timed part
    h = ses.add_torrent(atp)
    deadline = time.monotonic() + float(a.get('timeout', '600'))
    while h.status(0).state in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
        if time.monotonic() > deadline:
            print(json.dumps({'timeout': True, 'checking': True}), flush=True)
            return 2
        time.sleep(0.01)
    t0 = time.monotonic()
    h.resume()
    if 'peer' in a:
        peer(h, a['peer'])
    first = None
    last_connect = t0
    while time.monotonic() < deadline:
        st = h.status(0)
        now = time.monotonic()
        if first is None and st.total_payload_download > 0:
            first = now - t0
        if st.is_finished:
            print(json.dumps({'mode': 'webseed' if 'webseed' in a else 'peer', 'transport': transport, 'bytes': ti.total_size(),
                              'seconds': round(now - t0, 4), 'first_byte_seconds': round(first or 0, 4),
                              'downloaded': st.total_payload_download, 'failed': st.total_failed_bytes,
                              'redundant': st.total_redundant_bytes}), flush=True)
            return 0
        if 'peer' in a and st.num_peers == 0 and now - last_connect > 2:
            peer(h, a['peer'])
            last_connect = now
        time.sleep(0.005)
    st = h.status(0)
    print(json.dumps({'timeout': True, 'downloaded': st.total_payload_download, 'peers': st.num_peers}), flush=True)
    return 2

def magnet(uri, folder, a):
    via = a['via']
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    xt = [x for x in q.get('xt', []) if x.startswith('urn:btih:')][0][len('urn:btih:'):].lower()
    settings = {'listen_interfaces': a.get('listen', '127.0.0.1:0'), 'enable_dht': via == 'dht', 'enable_lsd': False,
                'enable_upnp': False, 'enable_natpmp': False, 'alert_mask': 0,
                'min_reconnect_time': 1, 'max_failcount': 1000}
    if via == 'dht':
        # Every node is on 127.0.0.1 here: let the routing table and searches keep several nodes of one address.
        # A two-node DHT: the seeder's announce reaches the client's node only after the client joined, so the client
        # asks again every 2 s (a real client asks every 15 min, in a DHT of millions of nodes that already store it).
        settings.update({'dht_bootstrap_nodes': a['dht-bootstrap'], 'dht_restrict_routing_ips': False,
                         'dht_restrict_search_ips': False, 'dht_prefer_verified_node_ids': False,
                         'dht_announce_interval': 2})
    ses = lt.session(settings)
    if via == 'xs':
        body = None
        for url in q.get('xs', []):
            try:
                body = urllib.request.urlopen(url, timeout=30).read()
                break
            except Exception as e:
                print('xs %s failed: %s' % (url, e), file=sys.stderr, flush=True)
        if body is None:
            print(json.dumps({'error': 'no xs URL answered'}), flush=True)
            return 2
        ti = lt.torrent_info(lt.bdecode(body))
        if str(ti.info_hash()).lower() != xt:
            print(json.dumps({'error': 'xs gave info-hash %s, xt says %s' % (ti.info_hash(), xt)}), flush=True)
            return 2
        atp = lt.add_torrent_params()
        atp.ti = ti
        atp.url_seeds = q.get('ws', [])
    else:
        atp = lt.parse_magnet_uri(uri)
        atp.url_seeds = []
        if via == 'dht':
            atp.trackers = []
    atp.save_path = folder
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    t0 = time.monotonic()
    h = ses.add_torrent(atp)
    deadline = t0 + float(a.get('timeout', '120'))
    cleaned = via == 'xs'
    peers = set()
    while time.monotonic() < deadline:
        st = h.status()
        if not cleaned and st.has_metadata:
            # The metadata came from a peer and carries the torrent's url-list: drop it, peers only.
            for u in h.url_seeds():
                h.remove_url_seed(u)
            cleaned = True
        for p in h.get_peer_info():
            if p.connection_type == lt.peer_info.standard_bittorrent:
                peers.add('%s:%d' % p.ip)
        if st.has_metadata and st.is_seeding:
            print(json.dumps({'done': True, 'seconds': round(time.monotonic() - t0, 3), 'peers_seen': sorted(peers),
                              'web_seeds': sorted(h.url_seeds()), 'downloaded': st.total_payload_download,
                              'name': h.torrent_file().name()}), flush=True)
            return 0
        time.sleep(0.1)
    st = h.status()
    print(json.dumps({'timeout': True, 'has_metadata': st.has_metadata, 'progress': st.progress, 'peers': st.num_peers,
                      'dht_nodes': ses.status().dht_nodes, 'trackers': [t['url'] for t in h.trackers()]}), flush=True)
    return 2

def main():
    cmd, torrent, folder = sys.argv[1], sys.argv[2], sys.argv[3]
    a = args(sys.argv[4:])
    if cmd == 'time':
        return timed(torrent, folder, a)
    if cmd == 'magnet':
        return magnet(torrent, folder, a)
    ti = lt.torrent_info(torrent)
    ti.set_web_seeds([])
    n = ti.num_pieces()
    pieces = list(range(n)) if 'pieces' not in a or a['pieces'] == 'all' else [int(x) for x in a['pieces'].split(',') if x]
    ses = session()
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = folder
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    if cmd == 'hold':
        keep = set(pieces)
        fs = ti.files()
        for p in range(n):
            if p in keep:
                continue
            for s in ti.map_block(p, 0, ti.piece_size(p)):
                path = os.path.join(folder, fs.file_path(s.file_index))
                if os.path.exists(path):
                    with open(path, 'r+b') as f:
                        f.seek(s.offset)
                        f.write(b'\0' * s.size)
        atp.piece_priorities = [0] * n
        h = ses.add_torrent(atp)
        for _ in range(600):
            if h.status().state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
                break
            time.sleep(0.05)
        print('port %d have %d' % (ses.listen_port(), sum(1 for x in h.status().pieces if x)), flush=True)
        # Like a tracker re-announce: keep (re)connecting to the given peer, which may not be up yet.
        while True:
            if 'peer' in a:
                peer(h, a['peer'])
            ready, _, _ = select.select([sys.stdin], [], [], 2.0)
            if ready and not os.read(sys.stdin.fileno(), 4096):
                return 0
    wanted = set(pieces)
    atp.piece_priorities = [4 if p in wanted else 0 for p in range(n)]
    h = ses.add_torrent(atp)
    peer(h, a['peer'])
    deadline = time.time() + float(a.get('timeout', '120'))
    while time.time() < deadline:
        st = h.status()
        have = [i for i, x in enumerate(st.pieces) if x]
        if wanted.issubset(have):
            print(json.dumps({'have': have, 'downloaded': st.total_payload_download}), flush=True)
            return 0
        if int(time.time() * 10) % 20 == 0:
            h.connect_peer(tuple([a['peer'].rsplit(':', 1)[0], int(a['peer'].rsplit(':', 1)[1])]))
        time.sleep(0.1)
    st = h.status()
    print(json.dumps({'timeout': True, 'have': [i for i, x in enumerate(st.pieces) if x], 'peers': st.num_peers}), flush=True)
    return 2

sys.exit(main())
