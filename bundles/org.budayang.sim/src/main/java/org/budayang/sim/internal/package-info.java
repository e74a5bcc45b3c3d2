/**
 * Simulators of the hall's own peripherals and the {@link org.budayang.api.device.SimulatorHost}
 * that runs them by name, in process or on a pseudo-terminal. Implemented from the protocol notes,
 * independently of the drivers in core.device, so that a shared misreading does not hide.
 */
package org.budayang.sim.internal;
