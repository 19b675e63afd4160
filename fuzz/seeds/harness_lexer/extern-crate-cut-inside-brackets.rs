extern crate a
[;]
1