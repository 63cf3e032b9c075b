"""LLMs behind one seam: any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

from remem.llm.base import LLM, LLMOutputError, complete_json
from remem.llm.openai_compat import OpenAICompatLLM, from_settings

__all__ = ["LLM", "LLMOutputError", "OpenAICompatLLM", "complete_json", "from_settings"]
