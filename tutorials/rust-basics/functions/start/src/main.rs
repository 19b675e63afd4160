fn square(n: i32) -> i32 {
    todo!("return n times n")
}

fn main() {
    for n in [3, 12] {
        println!("{n} squared is {}", square(n));
    }
}
