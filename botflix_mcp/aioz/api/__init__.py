"""The typed AIOZ Stream API layer: one module per resource, each building its requests and parsing the answers
into tolerant models (`base.py`). Tool handlers call these functions; they never build a URL or unwrap an
envelope themselves. Transport, auth, retries and deadlines are the client's (`aioz/client.py` on `http.py`).

Modules: account, media, parts (upload parts and /complete, used by the upload engine), captions (chapters,
transcripts, captions), players, playlists, webhooks, analytics, api_keys.
"""
