fn main() {
    let count = 0;
    for _ in 0..3 {
        count += 1;
    }
    println!("count is {count}");
}
