// Placeholder face; filled by the qwen-vl work.
export {};
