#[derive(Debug)]
struct Rectangle {
    width: u32,
    height: u32,
}

impl Rectangle {
    /// A square with sides of `size`.
    fn square(size: u32) -> Rectangle {
        Rectangle {
            width: size,
            height: size,
        }
    }

    fn area(&self) -> u32 {
        todo!("width times height")
    }

    fn can_hold(&self, other: &Rectangle) -> bool {
        todo!("is `other` both narrower and lower than `self`?")
    }
}

fn main() {
    let big = Rectangle {
        width: 30,
        height: 50,
    };
    let small = Rectangle::square(10);
    println!("{big:?} has an area of {}", big.area());
    println!("big can hold small: {}", big.can_hold(&small));
    println!("small can hold big: {}", small.can_hold(&big));
}
