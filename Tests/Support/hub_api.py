"""The Hub's model API and the modelzoo.co API of fixture_hub.py (a mixin of its handler)."""

import base64
import hashlib
import json
import os
import urllib.parse

MAX_LIMIT = 1000
SORT_KEYS = ("downloads", "likes", "lastModified", "createdAt", "id")
MALFORMED = b'[{"id": "broken"'


class BadModels(Exception):
    pass


def encode_cursor(offset):
    return base64.urlsafe_b64encode(b"offset:%d" % offset).decode("ascii")


def decode_cursor(cursor):
    """Inverse of encode_cursor; ValueError when the cursor is not one of ours."""
    text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return max(int(text[len("offset:"):]), 0)



class HubAPI:
    """GET /api/models, /api/models/<id>, and modelzoo.co's /api/models/<slug>/."""

    def modelzoo(self, slug):
        """The modelzoo.co API from DIR/modelzoo.json ({"models": [full entries]}):
        /api/models/0/ is the catalogue, /api/models/<slug>/ one model. Like the real
        site, it answers only requests that carry a Referer header."""
        if not self.headers.get("Referer"):
            return self.send_json(403, {"detail": "Referer required"})
        try:
            with open(os.path.join(self.server.root, "modelzoo.json"), "rb") as f:
                models = json.load(f)["models"]
        except (OSError, ValueError, KeyError) as exc:
            return self.send_json(500, {"error": "fixture: bad modelzoo.json: %s" % exc})
        if slug == "0":
            keys = ("slug", "title", "description", "stars", "link", "framework", "categories")
            return self.send_cacheable({"models": [{k: m.get(k) for k in keys} for m in models]})
        for m in models:
            if m.get("slug") == slug:
                keys = ("title", "description", "stars", "long_desc", "link", "papers", "framework", "categories", "id")
                return self.send_cacheable({k: m.get(k) for k in keys})
        return self.send_json(404, {"detail": "Not found."})

    def send_cacheable(self, obj):
        """A JSON answer with an ETag; 304 when the request's If-None-Match matches it."""
        body = json.dumps(obj, sort_keys=True).encode()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        if self.headers.get("If-None-Match") == etag:
            path = urllib.parse.urlsplit(self.path).path
            self.server.bump(self.server.not_modified, path)
            return self.send_body(304, b"", "application/json", [("ETag", etag)])
        return self.send_body(200, body, "application/json", [("ETag", etag)])

    def list_models(self, query):
        server = self.server
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        arg = lambda name: (params.get(name) or [""])[-1]
        tags = [t.strip() for v in params.get("filter", []) for t in v.split(",")
                if t.strip()]
        try:
            limit = min(max(int(arg("limit") or MAX_LIMIT), 1), MAX_LIMIT)
            offset = decode_cursor(arg("cursor")) if arg("cursor") else 0
        except ValueError:
            return self.send_json(400, {"error": "Invalid limit or cursor"})
        models = [m for m in server.load_models()
                  if not m.get("deleted") and not m.get("private")
                  and (not arg("author") or m["id"].partition("/")[0] == arg("author"))
                  and arg("search").lower() in m["id"].lower()
                  and all(t in m.get("tags", []) for t in tags)]
        sort = arg("sort")
        heads = {}  # lastModified sorting needs every head; otherwise the page's
        if sort in SORT_KEYS:
            if sort == "lastModified":
                heads = {m["id"]: server.head_commit(m["id"]) for m in models}
                key = lambda m: (heads[m["id"]] or ("", 0))[1]
            elif sort in ("downloads", "likes"):
                key = lambda m: m.get(sort) or 0
            else:
                key = lambda m: str(m.get(sort) or "")
            descending = arg("direction") in ("", "-1")
            models.sort(key=key, reverse=descending)
        page = models[offset:offset + limit]
        body = [server.entry(m, heads.get(m["id"], False), params.get("expand[]", [])) for m in page]
        headers = []
        if offset + limit < len(models):
            rest = [(k, v) for k, v in
                    urllib.parse.parse_qsl(query, keep_blank_values=True) if k != "cursor"]
            rest.append(("cursor", encode_cursor(offset + limit)))
            url = "http://127.0.0.1:%d/api/models?%s" % (
                server.server_address[1], urllib.parse.urlencode(rest))
            headers.append(("Link", '<%s>; rel="next"' % url))
        self.send_json(200, body, headers)

    def find_model(self, model_id):
        """The models.json object of a live (not deleted) model, or None."""
        for m in self.server.load_models():
            if m.get("id") == model_id and not m.get("deleted"):
                return m
        return None

    def one_model(self, model_id):
        model = self.find_model(model_id)
        if model is None:
            return self.send_json(404, {"error": "Repository not found"},
                                  [("X-Error-Code", "RepoNotFound")])
        if model.get("gated") and not self.authorized():
            return self.send_json(401, {"error": "Access to model %s is restricted. You "
                                        "must be authenticated to access it." % model_id},
                                  [("X-Error-Code", "GatedRepo")])
        self.send_json(200, self.server.entry(model))
