"""The sandbox provider: an emulator of every registered image API dialect over real HTTP.

Its core is here (the server, directives, pictures, envelopes, checks); each dialect's emulation
is in the dialect's own folder, `jobs/dialects/<name>/sandbox/`, found through the registry.
It needs no database and no web server, so tests and benchmarks run it in a thread:

    server = SandboxServer(port=0, task_seconds=1.5).start()
    ... server.base_url ...
    server.stop()

or from the command line: `python manage.py sandbox --port 8765 --delay 0 --task-seconds 6`.

Endpoints (Authorization: Bearer <any key>; a key starting with "sk-bad" is refused with 401):
  openai     POST /v1/images/generations (JSON), POST /v1/images/edits (multipart)
  grok       the same paths, chosen when the model name starts with "grok"
  qwen       POST /v1/images/edits with a JSON body:
             {"model", "input": {"messages": [{"role": "user",
                                               "content": [{"text": ...}, {"image": "data:..."}]}]}}
  task       POST /api/v1/image/generation, GET /api/v1/image/generation/{task_id}
  dashscope  POST /api/v1/services/aigc/{text2image|image2image}/image-synthesis
             (header X-DashScope-Async: enable), GET /api/v1/tasks/{task_id}
  files      GET /files/<id>.<png|jpg|webp>   (result URLs point here)
  control    GET /_sandbox/health, GET /_sandbox/requests, POST /_sandbox/reset,
             GET /_sandbox/redirect?to=URL  (302, for testing download redirects)

Images are real (Pillow): colour and pattern come from a hash of the prompt, the prompt is drawn on
them, the size is the requested one; edits paint over the uploaded image where the mask (or the
image itself) is transparent. gpt-image models always answer base64; grok answers JPEG.

Directives inside the prompt (counted per prompt text, in memory, until POST /_sandbox/reset):
  [[fault:429:N]]      the first N requests with this prompt answer 429 with Retry-After: 1
  [[fault:429:N:S]]    ... with Retry-After: S
  [[fault:500:N]]      the first N requests answer HTTP 500 (any status 400-599; N defaults to 1)
  [[fault:policy]]     a content-policy refusal in the dialect's own shape (openai 400
                       content_policy_violation / moderation_blocked; task code != 0 under HTTP 200;
                       dashscope {code: DataInspectionFailed} under HTTP 200)
  [[fault:quota]]      billing failure (openai 429 insufficient_quota; dashscope Arrearage;
                       task code 402)
  [[fault:busy]]       server busy (openai 503; task code 429 under HTTP 200; dashscope 429)
  [[fault:malformed]]  HTTP 200 with broken JSON
  [[fault:plain]]      HTTP 502 with a plain-text body, as a proxy in front of a relay answers
  (named faults fire on every request; add :N to fire only N times, e.g. [[fault:policy:1]])
  [[pollfault:500:N]]  the first N polls of a task made from this prompt fail (async dialects)
  [[delay:2.5]]        wait 2.5 s before answering the submit
  [[pending:20]]       an async task stays pending/running for 20 s (instead of --task-seconds)
  [[never]]            an async task never finishes
  [[fewer:K]]          return only K images although n is larger (dashscope: per-image error
                       entries for the rest; K=0 gives "succeeded but no image")
  [[status:WORD]]      an async task reports WORD as its status while running
  [[final:WORD]]       an async task ends with status WORD (e.g. failed, expired, canceled)
  [[polls:N]]          an async task ends on its Nth poll (tests need no real clock)
  [[slowfile:S]]       result files (URL answers) wait S seconds before answering
  [[trickle:S]]        result files send their bytes in 20 pieces spread over S seconds
  [[trickleanswer:S]]  the submit's own answer (JSON, or an error) is sent so, in 20 pieces
                       spread over S seconds: every read is quick, the whole answer is slow
  [[noise]]            images are random pixels (a 2048x2048 PNG is ~12 MB), for memory benchmarks
  [[echo_key]]         failure reasons (with [[final:WORD]], or dashscope's per-image errors
                       with [[fewer:K]]), fault messages (every dialect, with [[fault:...]])
                       and the usage block repeat the request's API key, as a careless relay
                       might (usage: task and dashscope)
  [[echo_key:FORM]]    ... in another form: cut (the key cut at either end), upper (upper- and
                       lower-case), base64 (alone and as Basic credentials), long:N (after N
                       characters of a retry sentence, to move the key across any length cut)
"""

from .server import SandboxServer

__all__ = ["SandboxServer"]
