#!/usr/bin/python3
"""Reference extractor for `npm run bench -- extract`: readability-lxml (Debian python3-readability),
the Python port of the same Readability algorithm. Modes:
  speed FILELIST REPEATS   -> {"pages", "bytes", "ms": [per repeat]}  (main text of every page, single thread)
  quality CORPORA_DIR      -> {"snippet_pass", "snippets", "aeb_f1", "aeb_pages"} scored like shared/tools/score-extraction.py
"""
import gzip, json, os, re, sys, time
from collections import Counter
import lxml.html
from readability import Document
import logging
logging.disable(logging.CRITICAL)

def extract(raw: bytes) -> str:
    try:
        html = Document(raw).summary(html_partial=True)
        return lxml.html.fromstring(html).text_content()
    except Exception:
        return ''

def speed(filelist, repeats):
    files = [l.strip() for l in open(filelist) if l.strip()]
    data = [open(f, 'rb').read() for f in files]
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for d in data: extract(d)
        ms.append((time.perf_counter() - t0) * 1000)
    return {'pages': len(data), 'bytes': sum(len(d) for d in data), 'ms': ms}

def quality(H):
    norm = lambda s: re.sub(r'\s+', ' ', s).strip()
    toks = lambda s: re.findall(r'\w+', s.lower())
    exp = json.load(open(os.path.join(H, 'html/trafilatura-expected.json')))
    ok = total = 0
    for url, e in exp.items():
        p = os.path.join(H, 'html/trafilatura', e['file'])
        if not os.path.exists(p): continue
        t = norm(extract(open(p, 'rb').read()))
        for s in e.get('with', []): total += 1; ok += norm(s) in t
        for s in e.get('without', []): total += 1; ok += norm(s) not in t
    gt = json.load(open(os.path.join(H, 'news-html/aeb/ground-truth.json')))
    f1s = []
    for key, e in gt.items():
        p = os.path.join(H, 'news-html/aeb/html', key + '.html.gz')
        if not os.path.exists(p): continue
        a, b = Counter(toks(extract(gzip.open(p).read()))), Counter(toks(e.get('articleBody', '')))
        inter = sum((a & b).values()); pr = inter / max(sum(a.values()), 1); rc = inter / max(sum(b.values()), 1)
        f1s.append(0 if pr + rc == 0 else 2 * pr * rc / (pr + rc))
    return {'snippet_pass': ok / max(total, 1), 'snippets': total, 'aeb_f1': sum(f1s) / max(len(f1s), 1), 'aeb_pages': len(f1s)}

if __name__ == '__main__':
    mode = sys.argv[1]
    print(json.dumps(speed(sys.argv[2], int(sys.argv[3])) if mode == 'speed' else quality(sys.argv[2])))
