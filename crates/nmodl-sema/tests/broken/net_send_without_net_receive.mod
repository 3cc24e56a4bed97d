: error: net_send in INITIAL without a NET_RECEIVE block
NEURON { POINT_PROCESS nsnr }
INITIAL { net_send(1, 1) }
