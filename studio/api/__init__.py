"""The studio as an OpenAI-compatible image API (`/v1/`): tokens, requests, waiting, answers.

Every image request becomes an ordinary job through `studio.submit`, validated by the same forms
and capability table as the pages, charged to the same quota ledger.
"""
