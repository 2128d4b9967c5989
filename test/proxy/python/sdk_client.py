"""Drives a Switchyard proxy with the official OpenAI Python SDK and prints what it saw as JSON."""
import json
import sys

import openai

client = openai.OpenAI(base_url=sys.argv[1], api_key="unused", max_retries=0)
seen = {}

raw = client.chat.completions.with_raw_response.create(
    model="auto", messages=[{"role": "user", "content": "hello from python"}]
)
completion = raw.parse()
seen["content"] = completion.choices[0].message.content
seen["finish_reason"] = completion.choices[0].finish_reason
seen["prompt_tokens"] = completion.usage.prompt_tokens
seen["provider_header"] = raw.headers.get("x-switchyard-provider")
seen["request_id"] = completion._request_id

text, usage = "", None
for chunk in client.chat.completions.create(
    model="claude/sonnet",
    messages=[{"role": "user", "content": "stream please"}],
    stream=True,
    stream_options={"include_usage": True},
):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
    if chunk.usage is not None:
        usage = chunk.usage.completion_tokens
seen["stream_text"] = text
seen["stream_usage"] = usage

try:
    client.chat.completions.create(model="no-such-alias", messages=[{"role": "user", "content": "x"}])
except openai.NotFoundError as error:
    seen["not_found"] = error.status_code
    seen["error_request_id"] = error.request_id

try:
    client.chat.completions.create(model="auto", messages=[])
except openai.BadRequestError as error:
    seen["bad_request"] = error.status_code

print(json.dumps(seen))
