use std::collections::BTreeMap;

fn word_counts(text: &str) -> BTreeMap<String, usize> {
    let counts = BTreeMap::new();
    // For each word of `text`, lowercased, add 1 to its count.
    counts
}

fn main() {
    let text = "the cat saw the dog and The dog saw the cat";
    let counts = word_counts(text);
    for (word, n) in &counts {
        println!("{word}: {n}");
    }
    let total: usize = counts.values().sum();
    println!("{total} words");
}
