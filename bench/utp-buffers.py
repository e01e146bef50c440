"""uTP vs TCP on loopback between two python3-libtorrent sessions, with settings varied.
usage: /usr/bin/python3 bench/utp-buffers.py WORKDIR VARIANT   (VARIANT: tcp, utp-default, utp-buffers, utp-buffers-delay)
  WORKDIR gets a 200 MB random file and the two copies; prints the payload MB/s of one download."""
import libtorrent as lt, sys, time, os, shutil, json
os.chdir(sys.argv[1]); variant = sys.argv[2]
os.makedirs('src', exist_ok=True)
if not os.path.exists('src/blob.bin'):
    with open('src/blob.bin', 'wb') as f: f.write(os.urandom(200_000_000))
base = {'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False, 'alert_mask': 0}
extra = {
  'tcp': {},
  'utp-default': {},
  'utp-buffers': {'send_socket_buffer_size': 4 << 20, 'recv_socket_buffer_size': 4 << 20},
  'utp-buffers-delay': {'send_socket_buffer_size': 4 << 20, 'recv_socket_buffer_size': 4 << 20, 'utp_target_delay': 500,
                        'utp_gain_factor': 12000},
}[variant]
if not os.path.exists('t.torrent'):
    fs = lt.file_storage(); lt.add_files(fs, 'src/blob.bin')
    ct = lt.create_torrent(fs, 0, lt.create_torrent.v1_only); lt.set_piece_hashes(ct, 'src')
    open('t.torrent', 'wb').write(lt.bencode(ct.generate()))
ti = lt.torrent_info('t.torrent')
s1 = lt.session(dict(base, listen_interfaces='127.0.0.1:0', **extra))
s2 = lt.session(dict(base, listen_interfaces='127.0.0.1:0', **extra))
utp = variant.startswith('utp')
s2.apply_settings({'enable_outgoing_utp': utp, 'enable_outgoing_tcp': not utp})
a = lt.add_torrent_params(); a.ti = ti; a.save_path = 'src'; a.flags &= ~lt.torrent_flags.auto_managed; a.flags &= ~lt.torrent_flags.paused
h1 = s1.add_torrent(a)
while not h1.status().is_seeding: time.sleep(0.05)
shutil.rmtree('dst', ignore_errors=True)
b = lt.add_torrent_params(); b.ti = lt.torrent_info('t.torrent'); b.save_path = 'dst'; b.flags &= ~lt.torrent_flags.auto_managed; b.flags &= ~lt.torrent_flags.paused
h2 = s2.add_torrent(b)
t0 = time.monotonic()
h2.connect_peer(('127.0.0.1', s1.listen_port()))
while not h2.status().is_seeding:
    time.sleep(0.01)
    if time.monotonic() - t0 > 120: break
dt = time.monotonic() - t0
st = h2.status()
print(json.dumps({'variant': variant, 'MBps': round(st.total_payload_download / dt / 1e6, 1), 'seconds': round(dt, 2),
                  'done': st.is_seeding, 'load': open('/proc/loadavg').read().split()[0]}), flush=True)
