/** Simulated UKey dispenser, with its own codec (README-ukey.md, "Simulator"). */
package org.budayang.dept.tax.internal.sim;
