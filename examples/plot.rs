//! A plot in the output: draws two curves with `plotters` as SVG and prints it as an
//! `IMAGE:` line (base64), which the page and the embed show as a picture.
//!
//!     corral run examples/plot.rs        # or paste it into the page and press Run

use base64::prelude::*;
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (480, 300)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("sin(x) and cos(x)", ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-3.2f32..3.2, -1.2f32..1.2)?;
        chart.configure_mesh().draw()?;
        let xs = || (-160..=160).map(|i| i as f32 / 50.0);
        chart
            .draw_series(LineSeries::new(xs().map(|x| (x, x.sin())), &RED))?
            .label("sin")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED));
        chart
            .draw_series(LineSeries::new(xs().map(|x| (x, x.cos())), &BLUE))?
            .label("cos")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
        chart.configure_series_labels().border_style(BLACK).draw()?;
        root.present()?;
    }
    println!("IMAGE:{}", BASE64_STANDARD.encode(svg));
    println!("Plotted sin and cos on [-3.2, 3.2].");
    Ok(())
}
