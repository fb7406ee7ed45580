"""Drives the fake Gmail server with Google's own Python client, as a Gmail client would, and
checks every answer against the discovery document shipped inside that client.

Run by tests/conformance_python.rs, one phase per run (the Rust side changes the mailbox and the
fake's knobs between phases):

    gmail_client.py read      BASE TOKEN EXPECT_JSON
    gmail_client.py history   BASE TOKEN EXPECT_JSON
    gmail_client.py expired   BASE TOKEN EXPECT_JSON
    gmail_client.py ratelimit BASE TOKEN EXPECT_JSON

BASE is the fake's root URL (http://127.0.0.1:PORT/), TOKEN a bearer token it accepts,
EXPECT_JSON what the Rust side knows to be true. Exit status 0 means every check held; any
failed check raises, printing what was wrong. When the fake and this client disagree, the fake
is what must change.
"""

import base64
import json
import os
import sys
import traceback

import googleapiclient
import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

DOC_PATH = os.path.join(
    os.path.dirname(googleapiclient.__file__),
    "discovery_cache",
    "documents",
    "gmail.v1.json",
)
with open(DOC_PATH, encoding="utf-8") as f:
    DOC = json.load(f)
SCHEMAS = DOC["schemas"]
SYSTEM_LABELS = {
    "INBOX", "SENT", "STARRED", "UNREAD", "IMPORTANT", "TRASH", "SPAM", "DRAFT", "CHAT",
    "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
}
CHECKS = []


class CheckFailed(AssertionError):
    pass


def ensure(condition, what):
    if not condition:
        raise CheckFailed(what)
    CHECKS.append(what)


# --- the discovery document as judge ---------------------------------------------------------

def conforms(value, schema, path):
    """Asserts that `value` has exactly the shape `schema` allows, recursively."""
    if "$ref" in schema:
        name = schema["$ref"]
        ensure(name in SCHEMAS, f"{path}: schema {name} exists in the discovery document")
        schema = SCHEMAS[name]
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            raise CheckFailed(f"{path}: expected an object, got {type(value).__name__}: {value!r:.200}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                conforms(item, props[key], f"{path}.{key}")
            elif extra is not None:
                conforms(item, extra, f"{path}.{key}")
            else:
                raise CheckFailed(
                    f"{path}.{key}: not a field of {schema.get('id', 'this object')} "
                    f"(fields: {sorted(props)})"
                )
    elif kind == "array":
        if not isinstance(value, list):
            raise CheckFailed(f"{path}: expected an array, got {value!r:.200}")
        for i, item in enumerate(value):
            conforms(item, schema.get("items", {}), f"{path}[{i}]")
    elif kind == "string":
        if not isinstance(value, str):
            raise CheckFailed(f"{path}: expected a string, got {value!r:.200}")
        fmt = schema.get("format")
        if fmt in ("uint64", "int64"):
            if not value.lstrip("-").isdigit():
                raise CheckFailed(f"{path}: {fmt} must be a decimal string, got {value!r}")
        elif fmt == "byte":
            try:
                base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except Exception as error:  # noqa: BLE001 - any decoding failure is the finding
                raise CheckFailed(f"{path}: not base64: {error}") from error
        if "enum" in schema and value not in schema["enum"]:
            raise CheckFailed(f"{path}: {value!r} is not one of {schema['enum']}")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise CheckFailed(f"{path}: expected an integer, got {value!r}")
        fmt = schema.get("format")
        if fmt == "int32" and not -(2**31) <= value < 2**31:
            raise CheckFailed(f"{path}: {value} does not fit int32")
        if fmt == "uint32" and not 0 <= value < 2**32:
            raise CheckFailed(f"{path}: {value} does not fit uint32")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise CheckFailed(f"{path}: expected a boolean, got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CheckFailed(f"{path}: expected a number, got {value!r}")
    CHECKS.append(path)


def response_schema(method):
    return {"$ref": method["response"]["$ref"]}


def method(resource_path, name):
    node = DOC
    for part in resource_path:
        node = node["resources"][part]
    return node["methods"][name]


def answer_of(request, resource_path, name, what):
    """Executes a request and checks its answer against the method's response schema."""
    value = request.execute()
    conforms(value, response_schema(method(resource_path, name)), what)
    return value


def google_error(error, status, reason, what):
    """Asserts an HttpError carries Google's error envelope with this status and reason."""
    ensure(isinstance(error, HttpError), f"{what}: an HttpError, got {error!r}")
    ensure(error.resp.status == status, f"{what}: HTTP {status}, got {error.resp.status}")
    body = json.loads(error.content)
    envelope = body.get("error")
    ensure(isinstance(envelope, dict), f"{what}: body is {{'error': {{...}}}}: {body}")
    ensure(envelope.get("code") == status, f"{what}: error.code is {status}: {envelope}")
    ensure(isinstance(envelope.get("message"), str) and envelope["message"], f"{what}: error.message")
    ensure(isinstance(envelope.get("status"), str), f"{what}: error.status names a canonical code")
    items = envelope.get("errors")
    ensure(isinstance(items, list) and items, f"{what}: error.errors is a non-empty list")
    for item in items:
        for key in ("message", "domain", "reason"):
            ensure(isinstance(item.get(key), str), f"{what}: errors[].{key} is a string: {item}")
    ensure(items[0]["reason"] == reason, f"{what}: reason {reason}, got {items[0]['reason']}")
    ensure(error.reason == envelope["message"], f"{what}: the client reads the message")
    return envelope


def expect_error(request, status, reason, what):
    try:
        value = request.execute()
    except HttpError as error:
        return google_error(error, status, reason, what)
    raise CheckFailed(f"{what}: expected HTTP {status} {reason}, got an answer: {value!r:.300}")


# --- clients ---------------------------------------------------------------------------------

class BearerHttp(httplib2.Http):
    """Sends a fixed bearer token and never refreshes it, so a 401 reaches the caller as is."""

    def __init__(self, token):
        super().__init__(timeout=60)
        self.token = token

    def request(self, uri, method="GET", body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        headers["authorization"] = f"Bearer {self.token}"
        return super().request(uri, method, body, headers, **kwargs)


def service(base, token=None, http=None):
    doc = dict(DOC)
    # Only the URLs change: everything else is Google's own document.
    doc["rootUrl"] = base
    doc["baseUrl"] = base
    doc["mtlsRootUrl"] = base
    if http is None:
        http = AuthorizedHttp(Credentials(token=token), http=httplib2.Http(timeout=60))
    return build_from_document(doc, http=http)


def with_params(request, extra):
    """The same request with query parameters the client itself would refuse to add."""
    request.uri += ("&" if "?" in request.uri else "?") + extra
    return request


# --- phases ----------------------------------------------------------------------------------

def check_message(message, fmt, what):
    conforms(message, {"$ref": "Message"}, what)
    for key in ("id", "threadId", "labelIds", "snippet", "historyId", "internalDate", "sizeEstimate"):
        ensure(key in message, f"{what}: format={fmt} carries {key}")
    if fmt == "raw":
        ensure("raw" in message and "payload" not in message, f"{what}: raw has raw, no payload")
        raw = base64.urlsafe_b64decode(message["raw"] + "=" * (-len(message["raw"]) % 4))
        ensure(len(raw) == message["sizeEstimate"], f"{what}: raw is sizeEstimate bytes")
    elif fmt == "minimal":
        ensure("raw" not in message and "payload" not in message, f"{what}: minimal has neither")
    elif fmt == "metadata":
        payload = message.get("payload", {})
        ensure("headers" in payload, f"{what}: metadata has headers")
        ensure("parts" not in payload and "data" not in payload.get("body", {}), f"{what}: no bodies")
    else:
        payload = message.get("payload", {})
        ensure(payload.get("mimeType") and "headers" in payload, f"{what}: full has a payload")


def phase_read(gmail, base, token, expect):
    users = gmail.users()
    profile = answer_of(users.getProfile(userId="me"), ["users"], "getProfile", "profile")
    ensure(profile["emailAddress"] == expect["emailAddress"], "profile names the mailbox")
    ensure(profile["messagesTotal"] == expect["messagesTotal"], "profile counts the messages")

    labels = answer_of(users.labels().list(userId="me"), ["users", "labels"], "list", "labels.list")
    ids = {label["id"] for label in labels["labels"]}
    ensure(SYSTEM_LABELS <= ids, f"every system label is listed, missing {SYSTEM_LABELS - ids}")
    names = {label["name"]: label for label in labels["labels"]}
    ensure("Work/Clients" in names, "a nested user label is listed")
    for label in labels["labels"]:
        ensure(label["type"] in ("system", "user"), f"label {label['id']} has a type")
        if label["type"] == "user":
            ensure(label["id"].startswith("Label_"), f"user label id {label['id']} looks like Gmail's")
        ensure("messagesTotal" not in label, "labels.list carries no counts, as its schema says")
    inbox = answer_of(users.labels().get(userId="me", id="INBOX"), ["users", "labels"], "get", "labels.get INBOX")
    for key in ("messagesTotal", "messagesUnread", "threadsTotal", "threadsUnread"):
        ensure(key in inbox, f"labels.get INBOX has {key}")
    clients = names["Work/Clients"]
    got = answer_of(users.labels().get(userId="me", id=clients["id"]), ["users", "labels"], "get", "labels.get user")
    ensure(got["name"] == "Work/Clients" and "color" in got, "a user label has its name and colour")
    expect_error(users.labels().get(userId="me", id="Label_999999"), 404, "notFound", "unknown label")

    # List paging, as a sync does it, and the INBOX count agrees with labels.get.
    seen, token_ = [], None
    pages = 0
    while True:
        page = answer_of(
            users.messages().list(userId="me", maxResults=7, pageToken=token_),
            ["users", "messages"], "list", f"messages.list page {pages}",
        )
        pages += 1
        seen += [m["id"] for m in page.get("messages", [])]
        token_ = page.get("nextPageToken")
        if not token_:
            break
        ensure(pages < 1000, "paging ends")
    ensure(len(seen) == len(set(seen)) == expect["listed"], f"paging lists every message once ({len(seen)})")
    inbox_ids, token_ = [], None
    while True:
        page = users.messages().list(userId="me", labelIds=["INBOX"], pageToken=token_, maxResults=500).execute()
        inbox_ids += [m["id"] for m in page.get("messages", [])]
        token_ = page.get("nextPageToken")
        if not token_:
            break
    ensure(len(inbox_ids) == inbox["messagesTotal"], "INBOX's messagesTotal is what listing INBOX gives")

    # Every format of a few messages, attachments included.
    for message_id in expect["sample"]:
        for fmt in ("full", "metadata", "minimal", "raw"):
            kwargs = {"metadataHeaders": ["From", "Subject"]} if fmt == "metadata" else {}
            message = users.messages().get(userId="me", id=message_id, format=fmt, **kwargs).execute()
            check_message(message, fmt, f"messages.get {message_id} {fmt}")
            ensure(message["id"] == message_id, "the asked message came back")
        full = users.messages().get(userId="me", id=message_id).execute()
        stack = [full["payload"]]
        while stack:
            part = stack.pop()
            stack += part.get("parts", [])
            attachment_id = part.get("body", {}).get("attachmentId")
            if attachment_id:
                body = answer_of(
                    users.messages().attachments().get(userId="me", messageId=message_id, id=attachment_id),
                    ["users", "messages", "attachments"], "get", "attachments.get",
                )
                ensure(body["size"] == part["body"]["size"], "the attachment has the part's size")

    # Partial responses, in the forms clients use.
    one = expect["sample"][0]
    partial = users.messages().get(userId="me", id=one, format="minimal", fields="id,threadId,labelIds").execute()
    ensure(set(partial) == {"id", "threadId", "labelIds"}, f"fields=id,threadId,labelIds: {sorted(partial)}")
    page = users.messages().list(userId="me", maxResults=3, fields="messages(id,threadId),nextPageToken").execute()
    ensure(set(page) <= {"messages", "nextPageToken"} and "messages" in page, f"list fields: {sorted(page)}")
    ensure(all(set(m) == {"id", "threadId"} for m in page["messages"]), "list items keep id,threadId")
    nested = users.messages().get(userId="me", id=one, format="metadata", fields="payload(mimeType,headers(name))").execute()
    ensure(set(nested) == {"payload"} and set(nested["payload"]) <= {"mimeType", "headers"}, "nested parentheses")
    ensure(all(set(h) == {"name"} for h in nested["payload"]["headers"]), "headers keep only name")
    history_id = users.getProfile(userId="me", fields="historyId").execute()
    ensure(set(history_id) == {"historyId"}, f"fields=historyId: {history_id}")

    # Batch get, through the client's own batch support, at both paths.
    answers = {}

    def collect(request_id, response, exception):
        answers[request_id] = (response, exception)

    for batch in (gmail.new_batch_http_request(callback=collect), BatchHttpRequest(callback=collect, batch_uri=base + "batch/gmail/v1")):
        answers.clear()
        wanted = expect["batch"]
        for message_id in wanted:
            batch.add(users.messages().get(userId="me", id=message_id, format="metadata"), request_id=message_id)
        batch.add(users.messages().get(userId="me", id="ffffffffffffffff"), request_id="missing")
        batch.add(users.messages().get(userId="me", id="not-an-id!"), request_id="malformed")
        try:
            batch.execute()
        except Exception as error:  # noqa: BLE001 - say which step broke, then fail
            raise CheckFailed(f"batch to {batch._batch_uri}: googleapiclient cannot read the answer: {error!r}") from error
        ensure(set(answers) == set(wanted) | {"missing", "malformed"}, f"batch: every part answered ({len(answers)})")
        for message_id in wanted:
            response, exception = answers[message_id]
            ensure(exception is None, f"batch part {message_id} succeeded: {exception}")
            check_message(response, "metadata", f"batch part {message_id}")
            ensure(response["id"] == message_id, "each part answers its own request")
        google_error(answers["missing"][1], 404, "notFound", "batch part for an unknown id")
        google_error(answers["malformed"][1], 400, "invalidArgument", "batch part for a malformed id")

    too_many = gmail.new_batch_http_request()
    for i in range(101):
        too_many.add(users.getProfile(userId="me"), request_id=str(i))
    try:
        too_many.execute()
        raise CheckFailed("a batch of 101 calls must be refused")
    except HttpError as error:
        ensure(error.resp.status == 400, f"101 calls: HTTP 400, got {error.resp.status}")

    # Every error form a client meets outside quota.
    expect_error(users.messages().get(userId="me", id="ffffffffffffffff"), 404, "notFound", "unknown message")
    envelope = expect_error(users.messages().get(userId="me", id="abc-xyz"), 400, "invalidArgument", "malformed id")
    ensure(envelope["message"] == "Invalid id value", f"Gmail's words for a bad id: {envelope['message']}")
    expect_error(with_params(users.messages().list(userId="me"), "bogusParam=1"), 400, "invalidArgument", "unknown parameter")
    # Standard parameters every Google API takes are accepted.
    standard = with_params(users.getProfile(userId="me"), "prettyPrint=false&quotaUser=conformance&%24.xgafv=1")
    conforms(standard.execute(), {"$ref": "Profile"}, "profile with standard parameters")
    stranger = service(base, http=BearerHttp("not-a-token")).users()
    expect_error(stranger.getProfile(userId="me"), 401, "authError", "a wrong token")
    return {"historyId": profile["historyId"]}


def phase_history(gmail, base, token, expect):
    users = gmail.users()
    added, deleted, labelled, records, token_ = [], [], [], 0, None
    while True:
        page = answer_of(
            users.history().list(userId="me", startHistoryId=expect["start"], maxResults=2, pageToken=token_),
            ["users", "history"], "list", "history.list",
        )
        for record in page.get("history", []):
            records += 1
            added += [c["message"]["id"] for c in record.get("messagesAdded", [])]
            deleted += [c["message"]["id"] for c in record.get("messagesDeleted", [])]
            labelled += [(c["message"]["id"], c["labelIds"]) for c in record.get("labelsAdded", [])]
        token_ = page.get("nextPageToken")
        if not token_:
            break
    ensure(added == expect["added"], f"history shows the arrivals in order: {added}")
    ensure(deleted == expect["deleted"], f"history shows the deletion: {deleted}")
    ensure(labelled == [(expect["starred"], ["STARRED"])], f"history shows the new star: {labelled}")
    only = users.history().list(userId="me", startHistoryId=expect["start"], historyTypes="messageAdded").execute()
    ensure(all(set(r) & {"messagesDeleted", "labelsAdded"} == set() for r in only.get("history", [])), "historyTypes filters")
    latest = users.history().list(userId="me", startHistoryId=expect["start"], fields="historyId").execute()
    ensure(set(latest) == {"historyId"}, f"history fields=historyId: {latest}")
    starred = users.messages().get(userId="me", id=expect["starred"], format="minimal").execute()
    ensure("STARRED" in starred["labelIds"], "the message now carries the label history reported")
    return {"records": records}


def phase_expired(gmail, base, token, expect):
    expect_error(
        gmail.users().history().list(userId="me", startHistoryId=expect["start"]),
        404, "notFound", "a startHistoryId past retention",
    )
    return {}


def phase_ratelimit(gmail, base, token, expect):
    status, reason = expect["status"], expect["reason"]
    users = gmail.users()
    refused = None
    for _ in range(50):
        try:
            users.messages().get(userId="me", id=expect["id"], format="minimal").execute()
        except HttpError as error:
            refused = error
            break
    ensure(refused is not None, "a burst over the quota is refused")
    envelope = google_error(refused, status, reason, "over the quota")
    ensure(envelope["message"].startswith("User-rate limit exceeded.  Retry after "), f"Gmail's words: {envelope['message']}")
    answers = {}

    def collect(request_id, response, exception):
        answers[request_id] = (response, exception)

    batch = gmail.new_batch_http_request(callback=collect)
    for i in range(20):
        batch.add(users.messages().get(userId="me", id=expect["id"], format="minimal"), request_id=str(i))
    batch.execute()
    failed = [e for _, e in answers.values() if e is not None]
    ensure(len(answers) == 20 and failed, f"a batch over the quota has refused parts ({len(failed)} of {len(answers)})")
    for error in failed:
        google_error(error, status, reason, "a batch part over the quota")
    for response, error in answers.values():
        if error is None:
            check_message(response, "minimal", "a batch part within the quota")
    return {"refusedParts": len(failed)}


PHASES = {"read": phase_read, "history": phase_history, "expired": phase_expired, "ratelimit": phase_ratelimit}


def main():
    phase, base, token, expect = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    gmail = service(base, token)
    try:
        result = PHASES[phase](gmail, base, token, expect)
    except Exception:  # noqa: BLE001 - print everything the Rust side should show
        traceback.print_exc()
        print(f"FAILED in phase {phase} after {len(CHECKS)} checks", file=sys.stderr)
        return 1
    print(f"RESULT {json.dumps(result)}")
    print(f"phase {phase}: {len(CHECKS)} checks held", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
