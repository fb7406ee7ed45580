"""Points Google's Python client at a Gmail-compatible server, for the peer clients (lieer, the
Google-client full sync) that the side-by-side benchmark and the lieer test run against the fake.

Python imports this module at start-up when its folder is on PYTHONPATH. With
INBOX_SYNC_PEER_GMAIL set to the server's root URL (http://127.0.0.1:PORT/), every
`googleapiclient.discovery.build("gmail", "v1", ...)` builds from the discovery document shipped
inside the client with its root, base and batch URLs changed to that server, and nothing else:
the client, its batch requests, paging and error handling are Google's own, unchanged.
"""

import os

_BASE = os.environ.get("INBOX_SYNC_PEER_GMAIL")

if _BASE:
    import json

    import googleapiclient
    import googleapiclient.discovery as _discovery

    _DOC_PATH = os.path.join(
        os.path.dirname(googleapiclient.__file__),
        "discovery_cache",
        "documents",
        "gmail.v1.json",
    )
    _build = _discovery.build

    def _build_redirected(service_name, version, *args, **kwargs):
        if (service_name, version) != ("gmail", "v1"):
            return _build(service_name, version, *args, **kwargs)
        with open(_DOC_PATH, encoding="utf-8") as f:
            doc = json.load(f)
        doc["rootUrl"] = _BASE
        doc["baseUrl"] = _BASE + doc["servicePath"]
        doc["mtlsRootUrl"] = _BASE
        keep = {k: v for k, v in kwargs.items() if k in ("credentials", "http", "requestBuilder")}
        return _discovery.build_from_document(doc, **keep)

    _discovery.build = _build_redirected
