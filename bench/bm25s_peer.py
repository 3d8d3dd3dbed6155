"""bm25s, the peer of bench/bm25.ts, driven over stdin in the same run (one thread, CPU seconds).

Reads the corpus and the queries that bench/bm25.ts wrote (Int32 files: count, offsets[count+1],
token ids), indexes the corpus with bm25s (Lucene idf, the same k1 and b), then answers commands:
  warm BACKEND FROM TO    the same without timing or keeping (numba compiles on first use)
  batch BACKEND FROM TO   retrieve top-k for queries [FROM, TO) with BACKEND (numba or numpy),
                          reply {"cpuSeconds": ...}: getrusage CPU of this process for the batch
  dump BACKEND PATH       write BACKEND's ids then scores (Int32, Float32; k per query) to PATH
  quit
Usage: python bench/bm25s_peer.py CORPUS QUERIES K1 B K VOCABULARY
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import bm25s  # noqa: E402
from bm25s.tokenization import Tokenized  # noqa: E402


def read_lists(path):
    raw = np.fromfile(path, dtype=np.int32)
    n = int(raw[0])
    offsets = raw[1 : n + 2]
    tokens = raw[n + 2 :].tolist()
    return [tokens[offsets[i] : offsets[i + 1]] for i in range(n)]


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    corpus_path, queries_path, k1, b, k, vocabulary = sys.argv[1:7]
    k, vocabulary = int(k), int(vocabulary)
    vocab = {str(t): t for t in range(vocabulary)}
    corpus = read_lists(corpus_path)
    queries = read_lists(queries_path)
    c0, t0 = cpu(), time.perf_counter()
    retriever = bm25s.BM25(k1=float(k1), b=float(b), method="lucene")
    retriever.index(Tokenized(ids=corpus, vocab=vocab), show_progress=False)
    build_cpu, build_wall = cpu() - c0, time.perf_counter() - t0
    del corpus
    # The backend is the retriever's attribute (numba: its own top-k; numpy: numpy top-k).
    def run(backend, lo, hi):
        retriever.backend = backend
        return retriever.retrieve(queries[lo:hi], k=k, backend_selection=backend,
                                  n_threads=1, show_progress=False)
    results = {}
    say({"ready": True, "bm25s": bm25s.__version__, "numpy": np.__version__,
         "buildCpuSeconds": round(build_cpu, 2), "buildSeconds": round(build_wall, 2)})
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "warm":
            run(cmd[1], int(cmd[2]), int(cmd[3]))
            say({"warm": True})
        elif cmd[0] == "batch":
            backend, lo, hi = cmd[1], int(cmd[2]), int(cmd[3])
            c0 = cpu()
            ids, scores = run(backend, lo, hi)
            used = cpu() - c0
            results.setdefault(backend, []).append((np.asarray(ids, dtype=np.int32), np.asarray(scores, dtype=np.float32)))
            say({"cpuSeconds": used})
        elif cmd[0] == "dump":
            backend, path = cmd[1], cmd[2]
            parts = results.get(backend, [])
            ids = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, k), np.int32)
            scores = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, k), np.float32)
            with open(path, "wb") as f:
                f.write(np.ascontiguousarray(ids, dtype=np.int32).tobytes())
                f.write(np.ascontiguousarray(scores, dtype=np.float32).tobytes())
            say({"rows": int(ids.shape[0])})


if __name__ == "__main__":
    main()
