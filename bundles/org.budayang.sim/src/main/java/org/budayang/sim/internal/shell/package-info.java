/** {@code budayang:sim}, the console's view of the simulators. */
package org.budayang.sim.internal.shell;
