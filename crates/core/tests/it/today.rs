//! The Today screen's data: my grids, and how signing in to a hub narrows them to the hub's scope.

use gridpatrol_core::scope::Scope;
use gridpatrol_core::{Role, User};

use super::{Env, LARGE_GRID, LEAD};

#[test]
fn my_grids_are_the_owned_ones_until_a_hub_narrows_them_to_its_scope() {
    let mut env = Env::sample();
    env.act_as("李明", Role::Officer);
    let owned = env.store.my_grid_codes().unwrap();
    assert_eq!(
        owned,
        ["37160200100101", "37160200100102", "37160200100103", "37160200100104"],
        "without a hub, my grids are the small grids whose owners name me"
    );
    let registry: Vec<(String, Option<String>)> =
        env.store.grids().unwrap().into_iter().map(|g| (g.code, g.parent)).collect();
    let assigned = vec!["37160200100101".to_string(), "37160200100102".to_string()];
    let scope = Scope::expand(Role::Officer, &assigned, registry.iter().map(|(c, p)| (c.as_str(), p.as_deref())));
    env.store.sign_in_as("http://127.0.0.1:8787", &User::new("李明", Role::Officer), &scope).unwrap();
    assert_eq!(
        env.store.my_grid_codes().unwrap(),
        ["37160200100101", "37160200100102"],
        "signed in, my grids are only those the hub lets me act in, so a patrol over them is never refused"
    );
    let today = env.store.today().unwrap();
    assert_eq!(today.my_grids.len(), 2, "Today lists the grids in scope");
}

#[test]
fn a_leads_grids_are_the_small_grids_of_the_large_grid_they_lead() {
    let mut env = Env::sample();
    env.act_as(LEAD, Role::Lead);
    let small_of_large: Vec<String> = env
        .store
        .grids()
        .unwrap()
        .into_iter()
        .filter(|g| g.parent.as_deref() == Some(LARGE_GRID))
        .map(|g| g.code)
        .collect();
    assert_eq!(small_of_large.len(), 22);
    assert_eq!(
        env.store.my_grid_codes().unwrap(),
        small_of_large,
        "王建国 leads 黄河大网格: its 22 small grids are his"
    );
    assert_eq!(env.store.today().unwrap().my_grids.len(), 22, "Today lists them");
}
