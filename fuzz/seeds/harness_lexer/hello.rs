// A first program for `corral run examples/hello.rs`: std, a baked crate, and output.
use rand::Rng;

fn main() {
    let roll: u8 = rand::thread_rng().gen_range(1..=6);
    println!("Hello from the sandbox! You rolled a {roll}.");
}
