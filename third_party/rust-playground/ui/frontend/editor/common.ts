// https://rust-lang.github.io/rustfmt/?version=v1.10.0&search=#max_width
export const RUSTFMT_DEFAULT_MAX_WIDTH = 100;
