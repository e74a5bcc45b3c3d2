/** 不动产 Real estate registration department module: its service items are declared in OSGI-INF/budayang/module.json. */
package org.budayang.dept.realestate;
