use std::num::ParseIntError;

fn add(a: &str, b: &str) -> Result<i32, ParseIntError> {
    todo!("parse a and b with `?`, then add them")
}

fn main() {
    println!("{:?}", add("2", "3"));
    println!("{:?}", add("2", "three"));
    match add("40", "2") {
        Ok(sum) => println!("the answer is {sum}"),
        Err(e) => println!("no answer: {e}"),
    }
}
