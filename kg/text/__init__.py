"""The text engine: documents to passages, terms, BM25, and tag suggestions learnt from the curated graph.

The library API (each module imports its heavy dependencies only when used):

- `read_document(path) -> Document`: text, Markdown or PDF; encoding detected; `DocumentError` for an
  empty, binary, image-only or too large file (`kg.text.document`).
- `split_sentences(text)`, `split_passages(text) -> list[Passage]`: character offsets, so every
  sentence is a verbatim slice of the input (`kg.text.passages`).
- `Tokeniser().terms(text)` / `terms(text)`: normalised content words of Japanese or English text
  (`kg.text.tokens`).
- `TextIndex.build([(doc_id, [texts])])`, `index.search(query, k) -> [Hit(doc_id, score, matched_terms)]`:
  BM25 (`kg.text.index`).
- `training_set(dataset) -> TrainingSet` of `Example`s and `Definition`s (`kg.text.records`), and
  `Suggester.fit(training_set)` with `suggest(text)`, `suggest_passage(passage)`, `find_measures(text)`,
  `rank(text)` (`kg.text.suggest`).
- `draft_yaml(...)`: a draft in data/'s schema (`kg.text.draft`).
"""
