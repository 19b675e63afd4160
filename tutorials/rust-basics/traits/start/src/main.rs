trait Speak {
    fn sound(&self) -> String;

    fn name(&self) -> String {
        "an animal".to_string()
    }
}

struct Dog {
    name: String,
}

impl Speak for Dog {
    fn sound(&self) -> String {
        "Woof".to_string()
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

struct Cat;

fn introduce(animal: &impl Speak) {
    println!("{} says {}", animal.name(), animal.sound());
}

fn main() {
    introduce(&Dog {
        name: "Rex".to_string(),
    });
    // introduce(&Cat);
}
