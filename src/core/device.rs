//! The anonymous device id: read once, made once, kept across logouts.

use crate::core::effect::{Calls, Effect};
use crate::core::input::{CallId, OpId};
use crate::core::outbox::Outbox;
use crate::core::rng::{is_uuid, Rng};

/// Where the device id stands in this run. The calls waiting for it are the driver's
/// ([`crate::Calls::DeviceIds`]).
#[derive(Clone, Debug)]
pub(crate) enum DeviceId {
    Unread,
    Reading(OpId),
    Known(String),
}

impl DeviceId {
    /// A `deviceId()` call: the id if it is known, else `None` and the call waits for the
    /// read (started here if it is the first call).
    pub(crate) fn ask<T>(&mut self, call: CallId, out: &mut Outbox<T>) -> Option<String> {
        if let DeviceId::Known(id) = self {
            return Some(id.clone());
        }
        out.push(Effect::Wait {
            call,
            on: Calls::DeviceIds,
        });
        match self {
            DeviceId::Known(_) | DeviceId::Reading(_) => None,
            DeviceId::Unread => {
                let op = out.next_op();
                *self = DeviceId::Reading(op);
                out.push(Effect::ReadDeviceId { op });
                None
            }
        }
    }

    /// The read `op` found `found`: keeps a stored UUID, or makes and writes a new one.
    /// Returns the id for the calls waiting; `None` for a stale read.
    pub(crate) fn read<T>(
        &mut self,
        op: OpId,
        found: Option<String>,
        rng: &mut Rng,
        out: &mut Outbox<T>,
    ) -> Option<String> {
        if !matches!(self, DeviceId::Reading(reading) if *reading == op) {
            return None;
        }
        let id = match found {
            Some(id) if is_uuid(&id) => id,
            _ => {
                // Written once; if storage refuses, the id still serves this run.
                let id = rng.uuid_v4();
                let op = out.next_op();
                out.push(Effect::WriteDeviceId { op, id: id.clone() });
                id
            }
        };
        *self = DeviceId::Known(id.clone());
        Some(id)
    }
}
