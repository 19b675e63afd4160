//! An animation in the output: each frame is a form feed (which clears the pane) and an
//! `IMAGE:` line, then a sleep. Under virtual time the sleeps cost nothing when the
//! program runs; the page replays the frames with their delays.
//!
//!     corral run examples/animation.rs   # or paste it into the page and press Run

use base64::prelude::*;
use plotters::prelude::*;
use std::{thread, time::Duration};

const W: i32 = 240;
const H: i32 = 160;
const R: i32 = 12;

fn frame(x: i32, y: i32) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, H as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        root.draw(&Rectangle::new([(0, H - 4), (W, H)], BLACK.filled()))?;
        root.draw(&Circle::new((x, y), R, RED.filled()))?;
    }
    Ok(svg)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A ball thrown to the right, bouncing on the floor and losing height each time.
    let (mut x, mut y, mut vx, mut vy) = (R as f64, R as f64, 4.0, 0.0);
    let floor = (H - 4 - R) as f64;
    for _ in 0..60 {
        print!("\x0cIMAGE:{}\n", BASE64_STANDARD.encode(frame(x as i32, y as i32)?));
        vy += 1.5;
        x += vx;
        y += vy;
        if y > floor {
            y = floor;
            vy = -vy * 0.7;
        }
        if x > (W - R) as f64 || x < R as f64 {
            vx = -vx;
        }
        thread::sleep(Duration::from_millis(40));
    }
    println!("60 frames, 40 ms apart.");
    Ok(())
}
