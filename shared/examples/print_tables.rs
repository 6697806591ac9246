//! Prints the lifecycle, deadline, permission and route tables as the code defines them, for
//! the README, and the event catalogue for `docs/events.md` (`cargo run -p cpor --example
//! print_tables`). A test fails if either drifts.

fn main() {
    let policy = cpor::domain::DeadlinePolicy::default();
    println!("{}", cpor::domain::lifecycle::transition_table_markdown());
    println!(
        "{}",
        cpor::domain::deadlines::deadline_table_markdown(&policy)
    );
    println!("{}", cpor::domain::access::permission_matrix_markdown());
    println!("{}", cpor::routes::routes_markdown());
    println!("{}", cpor::event_schemas::catalogue_markdown());
    println!("{}", cpor::event_schemas::engagement_catalogue_markdown());
}
