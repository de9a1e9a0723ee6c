/// The local npm registry the npm layer tests install from, as a Python program run with the
/// host's `/usr/bin/python3` (standard library only).
///
/// Usage: `registry.py PACKAGES_DIR`. Every `PACKAGES_DIR/<n>/package.json` is a package: the
/// program packs that directory as `package/...` into a gzipped tarball, computes `dist.shasum`
/// (SHA-1, hex) and `dist.integrity` (SHA-512, base64), then serves on 127.0.0.1 with an
/// ephemeral port, printing `PORT <n>` once it listens:
///
/// - `GET /<name>` and, for scoped names, `GET /@scope%2fname` (either case of `%2f`): the
///   registry document (`name`, `dist-tags.latest`, `versions.<v>` with `dist.tarball`);
/// - `GET /<name>/-/<basename>-<version>.tgz`: the tarball;
/// - anything else: 404. Every request is logged to stderr as `GET <path> <status>`.
enum NpmRegistryScript {
    static let source = #"""
import gzip, hashlib, base64, io, json, os, sys, tarfile, urllib.parse
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

root = sys.argv[1]
packages = {}   # name -> (metadata without dist, tarball bytes)

def pack(directory):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for folder, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, directory)
                info = tarfile.TarInfo("package/" + relative)
                data = open(path, "rb").read()
                info.size = len(data)
                info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                info.mtime = 499162500
                archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)

for entry in sorted(os.listdir(root)):
    directory = os.path.join(root, entry)
    manifest = json.load(open(os.path.join(directory, "package.json")))
    packages[manifest["name"]] = (manifest, pack(directory))

class Registry(BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?", 1)[0])[1:]
        status, body, kind = 404, b'{"error":"not found"}', "application/json"
        if "/-/" in path:
            name, file = path.split("/-/", 1)
            if name in packages:
                manifest, tarball = packages[name]
                if file == tarball_name(manifest):
                    status, body, kind = 200, tarball, "application/octet-stream"
        elif path in packages:
            status, body = 200, json.dumps(document(path)).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        sys.stderr.write("GET %s %d\n" % (self.path, status))
        sys.stderr.flush()

    def log_message(self, *args):
        pass

def tarball_name(manifest):
    return "%s-%s.tgz" % (manifest["name"].split("/")[-1], manifest["version"])

def document(name):
    manifest, tarball = packages[name]
    version = dict(manifest)
    version["dist"] = {
        "tarball": "http://127.0.0.1:%d/%s/-/%s" % (port, name, tarball_name(manifest)),
        "shasum": hashlib.sha1(tarball).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
    }
    version["_id"] = "%s@%s" % (name, manifest["version"])
    return {"_id": name, "name": name, "dist-tags": {"latest": manifest["version"]},
            "versions": {manifest["version"]: version}}

server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
port = server.server_address[1]
print("PORT %d" % port, flush=True)
server.serve_forever()
"""#
}
