//! Lookups by id over a session, built once.
//!
//! [`Session`]'s own lookups scan a list each time, which is fine for one
//! question; an export asks one per threat and per reference, and at ten
//! thousand threats those scans would dominate.

use std::collections::HashMap;

use super::ids::{Id, IdKind};
use super::model::{Component, ElementRef, Mitigation, Session, Threat};

pub struct SessionIndex<'a> {
    names: HashMap<Id, &'a str>,
    threats: HashMap<Id, &'a Threat>,
    components: HashMap<Id, &'a Component>,
    elements: HashMap<Id, ElementRef<'a>>,
    mitigations: HashMap<Id, Vec<&'a Mitigation>>,
}

impl<'a> SessionIndex<'a> {
    pub fn new(s: &'a Session) -> SessionIndex<'a> {
        let names = IdKind::ALL.into_iter().flat_map(|k| s.names(k)).collect();
        let mut elements = HashMap::new();
        elements.extend(s.actors.iter().map(|x| (x.id, ElementRef::Actor(x))));
        elements.extend(
            s.components
                .iter()
                .map(|x| (x.id, ElementRef::Component(x))),
        );
        elements.extend(s.flows.iter().map(|x| (x.id, ElementRef::Flow(x))));
        let mut mitigations: HashMap<Id, Vec<&'a Mitigation>> = HashMap::new();
        for m in &s.mitigations {
            for t in &m.threats {
                mitigations.entry(*t).or_default().push(m);
            }
        }
        SessionIndex {
            names,
            threats: s.threats.iter().map(|t| (t.id, &**t)).collect(),
            components: s.components.iter().map(|c| (c.id, c)).collect(),
            elements,
            mitigations,
        }
    }

    pub fn threat(&self, id: Id) -> Option<&'a Threat> {
        self.threats.get(&id).copied()
    }

    pub fn component(&self, id: Id) -> Option<&'a Component> {
        self.components.get(&id).copied()
    }

    /// An actor, component or flow.
    pub fn element(&self, id: Id) -> Option<ElementRef<'a>> {
        self.elements.get(&id).copied()
    }

    /// The name of anything with an id, as [`Session::name`] gives it.
    pub fn name(&self, id: Id) -> Option<&'a str> {
        self.names.get(&id).copied()
    }

    /// Mitigations that address `threat`, in file order.
    pub fn mitigations_of(&self, threat: Id) -> &[&'a Mitigation] {
        self.mitigations.get(&threat).map_or(&[], Vec::as_slice)
    }

    /// "Payslip API (C1)", or the bare id for an unknown one.
    pub fn describe(&self, id: Id) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }
}
