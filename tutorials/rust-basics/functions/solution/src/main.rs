fn square(n: i32) -> i32 {
    n * n
}

fn main() {
    for n in [3, 12] {
        println!("{n} squared is {}", square(n));
    }
}
