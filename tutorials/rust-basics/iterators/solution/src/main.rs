use std::collections::BTreeMap;

fn word_counts(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
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
