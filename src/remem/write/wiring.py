"""The one place where settings choose the write path's parts."""

from __future__ import annotations

from typing import Any

from remem.errors import InvalidInput
from remem.settings import Settings
from remem.write.candidates import Summarizer
from remem.write.extract import Extractor, TurnExtractor
from remem.write.reconcile import Reconciler, SimilarityReconciler


def write_path(settings: Settings, llm: Any) -> tuple[Extractor, Reconciler, Summarizer | None]:
    """(extractor, reconciler, summarizer) for settings.extractor: turns | rules | llm | auto."""
    choice = settings.extractor
    if choice == "auto":
        choice = "llm" if llm is not None else "rules"
    if choice == "turns":
        return TurnExtractor(), SimilarityReconciler(), None
    if choice == "rules":
        from remem.write.rules import RuleExtractor
        from remem.write.rules_reconcile import RuleReconciler
        from remem.write.summarize import ExtractiveSummarizer

        return RuleExtractor(), RuleReconciler(), ExtractiveSummarizer()
    if llm is None:
        raise InvalidInput("extractor 'llm' needs an LLM: set llm_url and llm_model (REMEM_LLM_URL, REMEM_LLM_MODEL)")
    from remem.write.llm_extract import LLMExtractor, LLMReconciler
    from remem.write.summarize import LLMSummarizer

    return LLMExtractor(llm), LLMReconciler(llm), LLMSummarizer(llm)
