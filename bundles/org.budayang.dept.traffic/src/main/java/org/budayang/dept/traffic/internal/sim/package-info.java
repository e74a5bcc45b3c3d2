/** Simulated height/vision tester, with its own codec (README-tester.md, "Simulator"). */
package org.budayang.dept.traffic.internal.sim;
