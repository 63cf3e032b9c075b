"""LLMs behind one seam: any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server).

The in-process llama.cpp model is optional and lives in `remem.llm.local` (pip install 'remem[local]').
"""

from remem.llm.base import LLM, LLMOutputError, complete_json
from remem.llm.jsonparse import JSONNotFound, JSONTruncated, extract_json
from remem.llm.openai_compat import OpenAICompatLLM, from_settings

__all__ = [
    "LLM",
    "JSONNotFound",
    "JSONTruncated",
    "LLMOutputError",
    "OpenAICompatLLM",
    "complete_json",
    "extract_json",
    "from_settings",
]
