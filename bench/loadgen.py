"""The load generator of bench/ballots.py: a closed loop of C keep-alive HTTP/1.1 connections.

It runs as a process of its own (`python bench/loadgen.py`, a job as JSON on stdin, the
results as JSON on stdout), so that it shares no interpreter with the bench or the servers.
Each of the C connections sends a request, reads the whole response, and sends the next
request of the list, until the list is done; so C requests are in flight at any time.

Two clients, with the same loop:
- `lean` (default): asyncio streams and a few lines of HTTP/1.1 (Content-Length or chunked
  bodies), several times cheaper per request than a full client, so that on a small machine
  the load generator takes as little CPU as possible from the servers it measures.
- `aiohttp`: aiohttp's ClientSession with one connector of C connections.

Job: {"base_url", "concurrency", "client", "requests": [{"method", "path", "headers",
"body"}]}. Answer: {"wall": seconds from the first request sent to the last answer read,
"cpu": this process's CPU seconds meanwhile, "results": [[status, seconds, error text], ...]}
in the order of the requests; status 0 is a request that got no HTTP answer.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

ERROR_TEXT = 300  # characters of an error answer's body kept for the report


class Job:
    def __init__(self, spec: dict):
        self.base_url = spec["base_url"].rstrip("/")
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.concurrency = int(spec["concurrency"])
        self.client = spec.get("client", "lean")
        self.requests = spec["requests"]
        self.results: list = [None] * len(self.requests)
        self._next = iter(range(len(self.requests)))
        self.started_at = 0.0

    def take(self) -> int | None:
        return next(self._next, None)

    def record(self, index: int, status: int, seconds: float, body: bytes | str) -> None:
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        self.results[index] = [
            status,
            seconds,
            body[:ERROR_TEXT] if status >= 300 or not status else "",
        ]


# The lean client ------------------------------------------------------------------------------


def encode(job: Job, request: dict) -> bytes:
    body = (request.get("body") or "").encode()
    head = [
        f"{request['method']} {request['path']} HTTP/1.1",
        f"Host: {job.host}:{job.port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in (request.get("headers") or {}).items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the server will close the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:  # read to the end: the server closes the connection
        body = await reader.read()
        return status, body, True
    return status, body, headers.get("connection") == "close"


async def lean_connection(job: Job, payloads: list[bytes], started: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection(job.host, job.port)
    await started.wait()
    try:
        while (index := job.take()) is not None:
            sent = time.perf_counter()
            try:
                writer.write(payloads[index])
                status, body, closing = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                job.record(index, 0, time.perf_counter() - sent, repr(error))
                closing = True
            else:
                job.record(index, status, time.perf_counter() - sent, body)
            if closing:
                writer.close()
                reader, writer = await asyncio.open_connection(job.host, job.port)
    finally:
        writer.close()


async def run_lean(job: Job) -> None:
    payloads = [encode(job, request) for request in job.requests]
    started = asyncio.Event()
    tasks = [
        asyncio.create_task(lean_connection(job, payloads, started)) for _ in range(job.concurrency)
    ]
    await asyncio.sleep(0.2)  # every connection open before the clock starts
    job.started_at = time.perf_counter()
    started.set()
    await asyncio.gather(*tasks)


# The aiohttp client ---------------------------------------------------------------------------


async def run_aiohttp(job: Job) -> None:
    import aiohttp

    async def connection(session: aiohttp.ClientSession) -> None:
        while (index := job.take()) is not None:
            request = job.requests[index]
            sent = time.perf_counter()
            try:
                async with session.request(
                    request["method"],
                    job.base_url + request["path"],
                    data=(request.get("body") or "").encode(),
                    headers={"Content-Type": "application/json", **(request.get("headers") or {})},
                ) as response:
                    body = await response.read()
                    job.record(index, response.status, time.perf_counter() - sent, body)
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                job.record(index, 0, time.perf_counter() - sent, repr(error))

    connector = aiohttp.TCPConnector(limit=job.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        job.started_at = time.perf_counter()
        await asyncio.gather(*(connection(session) for _ in range(job.concurrency)))


# Main -----------------------------------------------------------------------------------------


async def run(job: Job) -> dict:
    runner = run_lean if job.client == "lean" else run_aiohttp
    cpu = time.process_time()
    await runner(job)
    wall = time.perf_counter() - job.started_at  # set by the runner when the clock starts
    cpu = time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "results": job.results}


def main() -> int:
    job = Job(json.load(sys.stdin))
    answer = asyncio.run(run(job))
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
