"""A full Gmail sync written the way Google's guides and tools such as GYB do it, with Google's
own Python client: list every message id (500 a page, only the ids), fetch them in HTTP batches
of 100 in `raw` format, back off exponentially on rate-limit answers (403
userRateLimitExceeded / 429) and retry just the refused parts, and write each message to a file.

    google_full_sync.py OUT_DIR TOKEN

The server comes from INBOX_SYNC_PEER_GMAIL (see sitecustomize.py beside this file). Prints
`RESULT {"messages": N, "requests": R, "backoffs": B}` at the end; exits non-zero on any other
error. Used by the side-by-side benchmark (benches/side_by_side.rs) as one of the peers.
"""

import base64
import json
import os
import sys
import time

import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient import discovery
from googleapiclient.errors import HttpError

BATCH = 100
RATE_LIMITED = {403, 429}


def main():
    out_dir, token = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    http = AuthorizedHttp(Credentials(token=token), http=httplib2.Http(timeout=60))
    gmail = discovery.build("gmail", "v1", http=http)
    users = gmail.users()
    requests = 0
    backoffs = 0

    def execute(request):
        nonlocal requests, backoffs
        delay = 1.0
        while True:
            requests += 1
            try:
                return request.execute()
            except HttpError as e:
                if e.resp.status not in RATE_LIMITED:
                    raise
                backoffs += 1
                time.sleep(delay)
                delay = min(delay * 2, 32.0)

    ids = []
    page = None
    while True:
        answer = execute(
            users.messages().list(
                userId="me", maxResults=500, pageToken=page, fields="messages/id,nextPageToken"
            )
        )
        ids.extend(m["id"] for m in answer.get("messages", []))
        page = answer.get("nextPageToken")
        if not page:
            break

    pending = list(ids)
    delay = 1.0
    written = 0
    while pending:
        chunk, pending = pending[:BATCH], pending[BATCH:]
        refused = []

        def got(request_id, response, exception):
            nonlocal written
            if exception is not None:
                if isinstance(exception, HttpError) and exception.resp.status in RATE_LIMITED:
                    refused.append(request_id)
                    return
                raise exception
            raw = base64.urlsafe_b64decode(response["raw"] + "==")
            with open(os.path.join(out_dir, response["id"] + ".eml"), "wb") as f:
                f.write(raw)
            written += 1

        batch = gmail.new_batch_http_request(callback=got)
        for gid in chunk:
            batch.add(users.messages().get(userId="me", id=gid, format="raw"), request_id=gid)
        requests += 1
        batch.execute()
        if refused:
            # Only the refused parts go again, after a pause that doubles while refusals go on.
            backoffs += 1
            pending = refused + pending
            time.sleep(delay)
            delay = min(delay * 2, 32.0)
        else:
            delay = 1.0

    print("RESULT " + json.dumps({"messages": written, "requests": requests, "backoffs": backoffs}))


if __name__ == "__main__":
    main()
