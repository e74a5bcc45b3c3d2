/** Driver of the height/vision tester: frame codec, exchanges, actions (README-tester.md). */
package org.budayang.dept.traffic.internal.tester;
