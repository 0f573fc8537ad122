//! Components more than one page shows (pages only compose).

mod progress;
mod results;

pub use progress::JobProgress;
pub use results::Results;
