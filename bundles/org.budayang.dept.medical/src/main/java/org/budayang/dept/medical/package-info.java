/** 医保 Medical insurance department module: its service items are declared in OSGI-INF/budayang/module.json. */
package org.budayang.dept.medical;
