#!/usr/bin/env python3
"""A fake Product Opener for robotoffd's tests (python3 standard library only).

Serves, from a fixture directory, what robotoffd reads from Product Opener and its image/static servers:
  GET  /api/v2/product/<barcode>[?fields=..]   products/<barcode>.json (the "product" object or the full answer)
  GET  /api/v3.4/product/<barcode>             the product's product_type ("food" when it has none), v3 answer
  GET  /images/products/<path>                 images/products/<path> (.jpg photos, .json OCR; a .json.gz
                                               fixture is served gzip-encoded when the client accepts gzip)
  GET|HEAD /data/<path>                        static/data/<path> with an ETag (If-None-Match -> 304)
and records every write request:
  POST  /cgi/product_jqm2.pl, /cgi/product_image_crop.pl, PATCH /api/v3/product/<barcode>
Control routes (tests):
  GET  /__requests          every recorded write as JSON [{method, path, form|json, headers}]
  GET  /__reads             every read request [{method, path, status}]
  POST /__fail              {"status": 500, "count": N, "delay_ms": D, "prefix": "/api"}: the next N matching
                            requests answer `status` (0 = normal answer) after `delay_ms`
  POST /__reset             forget recorded requests and failure rules
  PUT  /__product/<barcode> store a product object (JSON body) in memory
  DELETE /__product/<barcode>  forget a product
With --samples SAMPLES_DIR --fixtures DIR, the fixture directory is first built from ../shared/samples (real
products, photos, OCR JSON and the product dump), so nothing is copied into the repository.
Listens on 127.0.0.1, port 0 (or --port); prints the port on stdout, then serves until SIGTERM.
"""

import argparse
import gzip
import hashlib
import json
import os
import shutil
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def split_barcode(barcode):
    if not barcode.isdigit():
        return "/" + barcode
    code = barcode.zfill(13) if len(barcode) <= 13 else barcode
    return "/%s/%s/%s/%s" % (code[0:3], code[3:6], code[6:9], code[9:])


def jpeg_size(path):
    """(width, height) of a JPEG from its SOF marker, or None."""
    with open(path, "rb") as f:
        data = f.read()
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


def ocr_size(doc):
    try:
        page = doc["responses"][0]["fullTextAnnotation"]["pages"][0]
        return int(page["width"]), int(page["height"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def build_fixtures(samples, out):
    """Lays out `out` from the real samples: products, photos, OCR JSON and the dump."""
    products = {}
    for name in sorted(os.listdir(os.path.join(samples, "products"))):
        if name.endswith(".json"):
            with open(os.path.join(samples, "products", name)) as f:
                doc = json.load(f)
            product = doc.get("product", doc)
            products[product.get("code", name[:-5])] = product

    def ensure_product(barcode):
        if barcode not in products:
            products[barcode] = {"code": barcode, "lang": "en", "product_name": "", "images": {}}
        return products[barcode]

    def add_image(barcode, image_id, size):
        product = ensure_product(barcode)
        images = product.setdefault("images", {})
        if image_id not in images and size:
            images[image_id] = {"sizes": {"full": {"w": size[0], "h": size[1]}}, "uploaded_t": 1700000000,
                                "uploader": "fake"}

    os.makedirs(os.path.join(out, "images", "products"), exist_ok=True)
    for name in sorted(os.listdir(os.path.join(samples, "ocr"))):
        if "_" not in name or not (name.endswith(".json") or name.endswith(".json.gz")):
            continue
        stem = name.split(".")[0]
        barcode, image_id = stem.split("_", 1)
        if not image_id.isdigit():
            continue
        target_dir = os.path.join(out, "images", "products") + split_barcode(barcode)
        os.makedirs(target_dir, exist_ok=True)
        src = os.path.join(samples, "ocr", name)
        suffix = ".json.gz" if name.endswith(".gz") else ".json"
        shutil.copyfile(src, os.path.join(target_dir, image_id + suffix))
        opener = gzip.open if suffix == ".json.gz" else open
        with opener(src, "rt") as f:
            size = ocr_size(json.load(f))
        add_image(barcode, image_id, size)
    for name in sorted(os.listdir(os.path.join(samples, "images"))):
        if not name.endswith(".jpg") or "_" not in name:
            continue
        stem = name[:-4]
        barcode, image_id = stem.split("_", 1)
        if not image_id.isdigit():
            continue
        target_dir = os.path.join(out, "images", "products") + split_barcode(barcode)
        os.makedirs(target_dir, exist_ok=True)
        shutil.copyfile(os.path.join(samples, "images", name), os.path.join(target_dir, image_id + ".jpg"))
        add_image(barcode, image_id, jpeg_size(os.path.join(samples, "images", name)))

    os.makedirs(os.path.join(out, "products"), exist_ok=True)
    for barcode, product in products.items():
        with open(os.path.join(out, "products", barcode + ".json"), "w") as f:
            json.dump(product, f)
    data_dir = os.path.join(out, "static", "data")
    os.makedirs(data_dir, exist_ok=True)
    dump = os.path.join(samples, "products", "openfoodfacts-products-min.jsonl.gz")
    if os.path.exists(dump):
        shutil.copyfile(dump, os.path.join(data_dir, "openfoodfacts-products.jsonl.gz"))


class state:
    lock = threading.Lock()
    writes = []
    reads = []
    fail_rules = []
    products = {}  # barcode -> product set through PUT /__product (None = deleted)
    fixtures = "."


def matching_failure(path):
    with state.lock:
        for rule in state.fail_rules:
            if rule["count"] != 0 and path.startswith(rule.get("prefix", "/")):
                if rule["count"] > 0:
                    rule["count"] -= 1
                return dict(rule)
    return None


class handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-po/1"

    def log_message(self, fmt, *args):  # quiet: tests read /__requests instead
        pass

    def send_body(self, status, body, content_type="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj):
        self.send_body(status, json.dumps(obj))

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def parsed(self):
        url = urllib.parse.urlsplit(self.path)
        return url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)

    def injected_failure(self, path):
        if path.startswith("/__"):
            return False
        rule = matching_failure(path)
        if not rule:
            return False
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000.0)
        if rule.get("status"):
            self.send_json(rule["status"], {"status": 0, "status_verbose": "injected failure"})
            return True
        return False

    def record_read(self, path, status):
        with state.lock:
            state.reads.append({"method": self.command, "path": self.path, "status": status,
                                "user_agent": self.headers.get("User-Agent", ""),
                                "authorization": self.headers.get("Authorization", "")})

    # ---- reads
    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path, query = self.parsed()
        if path == "/__requests":
            with state.lock:
                return self.send_json(200, state.writes)
        if path == "/__reads":
            with state.lock:
                return self.send_json(200, state.reads)
        if self.injected_failure(path):
            return self.record_read(path, "injected")
        if path.startswith("/api/v2/product/"):
            return self.get_product(path[len("/api/v2/product/"):], query)
        if path.startswith("/api/v3.4/product/"):
            return self.get_product_type(path[len("/api/v3.4/product/"):])
        if path.startswith("/images/products/"):
            return self.get_file(os.path.join("images", "products", path[len("/images/products/"):]), False)
        if path.startswith("/data/"):
            return self.get_file(os.path.join("static", "data", path[len("/data/"):]), True)
        self.record_read(path, 404)
        self.send_json(404, {"status": 0, "status_verbose": "not found"})

    def load_product(self, barcode):
        with state.lock:
            if barcode in state.products:
                return state.products[barcode]
        file = os.path.join(state.fixtures, "products", os.path.basename(barcode) + ".json")
        if not os.path.exists(file):
            return None
        with open(file) as f:
            doc = json.load(f)
        return doc.get("product", doc) if "status_verbose" in doc else doc

    def get_product(self, barcode, query):
        barcode = urllib.parse.unquote(barcode)
        product = self.load_product(barcode)
        if product is None:
            self.record_read(self.path, 404)
            return self.send_json(404, {"code": barcode, "status": 0, "status_verbose": "product not found"})
        fields = query.get("fields", [""])[0]
        if fields:
            wanted = fields.split(",")
            product = {k: v for k, v in product.items() if k in wanted}
        self.record_read(self.path, 200)
        self.send_json(200, {"code": barcode, "product": product, "status": 1, "status_verbose": "product found"})

    def get_product_type(self, barcode):
        """Only what product_type_switched asks (?fields=product_type). One fake serves every server type, so
        it never answers Product Opener's "found with a different product_type" 404."""
        barcode = urllib.parse.unquote(barcode)
        product = self.load_product(barcode)
        if product is None:
            self.record_read(self.path, 404)
            return self.send_json(404, {"code": barcode, "status": "failure", "result": {"id": "product_not_found"},
                                        "errors": [{"message": {"id": "product_not_found"},
                                                    "field": {"id": "code", "value": barcode},
                                                    "impact": {"id": "failure"}}]})
        self.record_read(self.path, 200)
        self.send_json(200, {"code": barcode, "product": {"product_type": product.get("product_type", "food")},
                             "status": "success", "result": {"id": "product_found"}, "errors": [],
                             "warnings": []})

    def get_file(self, relative, with_etag):
        base = os.path.realpath(state.fixtures)
        file = os.path.realpath(os.path.join(base, urllib.parse.unquote(relative)))
        gz = False
        if not file.startswith(base + os.sep):
            return self.send_json(403, {"status_verbose": "forbidden"})
        if not os.path.isfile(file) and os.path.isfile(file + ".gz"):
            file, gz = file + ".gz", True
        if not os.path.isfile(file):
            self.record_read(self.path, 404)
            return self.send_json(404, {"status_verbose": "not found"})
        with open(file, "rb") as f:
            body = f.read()
        headers = {}
        content_type = "application/json" if ".json" in file else "application/octet-stream"
        if file.endswith(".jpg"):
            content_type = "image/jpeg"
        if gz:
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                headers["Content-Encoding"] = "gzip"
            else:
                body = gzip.decompress(body)
        if with_etag:
            etag = '"%s"' % hashlib.sha1(body).hexdigest()
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                self.record_read(self.path, 304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        self.record_read(self.path, 200)
        return self.send_body(200, body, content_type, headers)

    # ---- writes and control
    def do_POST(self):
        path, _ = self.parsed()
        body = self.read_body()
        if path == "/__fail":
            rule = json.loads(body or b"{}")
            rule.setdefault("count", 1)
            rule.setdefault("status", 0)
            with state.lock:
                state.fail_rules.append(rule)
            return self.send_json(200, {"ok": True})
        if path == "/__reset":
            with state.lock:
                state.writes.clear()
                state.reads.clear()
                state.fail_rules.clear()
            return self.send_json(200, {"ok": True})
        self.record_write(path, body)

    def do_PATCH(self):
        path, _ = self.parsed()
        self.record_write(path, self.read_body())

    def do_PUT(self):
        path, _ = self.parsed()
        body = self.read_body()
        if path.startswith("/__product/"):
            with state.lock:
                state.products[path[len("/__product/"):]] = json.loads(body)
            return self.send_json(200, {"ok": True})
        self.send_json(404, {"status_verbose": "not found"})

    def do_DELETE(self):
        path, _ = self.parsed()
        if path.startswith("/__product/"):
            with state.lock:
                state.products[path[len("/__product/"):]] = None
            return self.send_json(200, {"ok": True})
        self.send_json(404, {"status_verbose": "not found"})

    def record_write(self, path, body):
        entry = {"method": self.command, "path": path,
                 "headers": {k.lower(): v for k, v in self.headers.items()
                             if k.lower() in ("user-agent", "cookie", "authorization", "content-type")}}
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            entry["json"] = json.loads(body or b"null")
        else:
            form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
            entry["form"] = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
        if self.injected_failure(path):
            entry["injected"] = True
            with state.lock:
                state.writes.append(entry)
            return None
        with state.lock:
            state.writes.append(entry)
        if path in ("/cgi/product_jqm2.pl", "/cgi/product_image_crop.pl"):
            return self.send_json(200, {"status": 1, "status_verbose": "fields saved"})
        if path.startswith("/api/v3/product/"):
            return self.send_json(200, {"status": "success", "result": {"id": "product_updated"}, "errors": []})
        return self.send_json(404, {"status_verbose": "not found"})


class quiet_server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Clients killed mid-request (kill -9 tests) reset their connections: not an error here.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", required=True, help="fixture directory (built here when --samples is given)")
    parser.add_argument("--samples", help="../shared/samples: build the fixture directory from it first")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.samples:
        build_fixtures(args.samples, args.fixtures)
    state.fixtures = args.fixtures
    server = quiet_server(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
